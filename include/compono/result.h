// compono/result.h — errors as values at every layer boundary.
//
// Contract: a `Result<T>` holds either a T or an `Error`; a `Status` is a
// `Result<void>`. Success costs one discriminator; no exceptions cross a
// library boundary. Every `Error` carries a code naming the phase that
// failed and a message a user can act on (what, where, why).
//
// Thread safety: value types; safe to copy and move between threads.
#pragma once

#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace compono {

// The phase an error comes from. Stable: the CLI maps these to exit codes.
enum class ErrorCode : uint8_t {
  kDecode,       // malformed binary or text
  kValidate,     // well-formed but invalid module
  kLink,         // an import could not be resolved or has the wrong type
  kInstantiate,  // start function, segment initialisation, resource limits at instantiation
  kTrap,         // a trap at run time (see TrapCode)
  kExit,         // the guest asked to exit (WASI proc_exit); see Error::exitStatus
  kWasi,         // WASI host errors that are not the guest's fault
  kComponent,    // component-model errors
  kCapability,   // claims, keys and policy
  kRegistry,     // package registry
  kIo,           // host I/O (file not found, permission denied, ...)
  kUsage,        // bad arguments to an API or command
  kInternal,     // a broken invariant inside Compono: always a bug
};

const char* errorCodeName(ErrorCode code);

// Why execution stopped abnormally. Limits are traps with their own codes so
// that callers (and the CLI's exit codes) can tell them apart.
enum class TrapCode : uint8_t {
  kNone,
  kUnreachable,
  kMemoryOutOfBounds,
  kTableOutOfBounds,
  kIndirectCallNull,          // uninitialized element
  kIndirectCallTypeMismatch,  // indirect call signature mismatch
  kIntegerDivideByZero,
  kIntegerOverflow,
  kInvalidConversion,
  kNullReference,
  kCallStackExhausted,  // the tier's own stack limit (or --max-stack)
  kOutOfFuel,           // --fuel budget spent
  kDeadline,            // --timeout reached
  kMemoryLimit,         // memory.grow beyond --max-memory
  kTableLimit,          // table.grow beyond --max-table-elements
  kHostError,           // a host function failed (message says why)
  kUncaughtException,   // exception-handling proposal: exception escaped
  kOther,
};

const char* trapCodeName(TrapCode code);

// One frame of a wasm backtrace, innermost first.
struct Frame {
  std::string module;       // module name from the name section, or the file name
  uint32_t funcIndex = 0;   // index in the module's function index space
  std::string funcName;     // from the name section, or the export name, or empty
  uint32_t codeOffset = 0;  // byte offset of the instruction in the module, 0 if unknown
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  // For kTrap: the reason. For kExit: unused.
  TrapCode trap = TrapCode::kNone;
  // For kExit: the status the guest passed to proc_exit.
  int exitStatus = 0;
  // For kTrap: where it happened, innermost first (may be empty).
  std::vector<Frame> backtrace;

  Error() = default;
  Error(ErrorCode c, std::string m) : code(c), message(std::move(m)) {}

  static Error trapError(TrapCode t, std::string m) {
    Error e(ErrorCode::kTrap, std::move(m));
    e.trap = t;
    return e;
  }
  static Error exit(int status) {
    Error e(ErrorCode::kExit, "exit status " + std::to_string(status));
    e.exitStatus = status;
    return e;
  }

  // "trap: integer divide by zero" style one-liner, without the backtrace.
  std::string oneLine() const;
  // The one-liner followed by the backtrace, one frame per line.
  std::string withBacktrace() const;

  // Prefixes the message with context ("app.wasm: ") and returns *this.
  Error& context(const std::string& where) {
    message = where + ": " + message;
    return *this;
  }
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

inline Status okStatus() { return Status(); }

}  // namespace compono

// Early-return helpers. COMPONO_TRY(expr) returns the error of a failed Status;
// COMPONO_ASSIGN(var, expr) declares `var` from a Result or returns its error.
#define COMPONO_CONCAT_INNER(a, b) a##b
#define COMPONO_CONCAT(a, b) COMPONO_CONCAT_INNER(a, b)
#define COMPONO_TRY(expr)                                 \
  do {                                                    \
    auto&& compono_try_status_ = (expr);                  \
    if (!compono_try_status_.ok())                        \
      return std::move(compono_try_status_).error();      \
  } while (0)
#define COMPONO_ASSIGN_IMPL(tmp, decl, expr) \
  auto tmp = (expr);                         \
  if (!tmp.ok()) return std::move(tmp).error(); \
  decl = std::move(tmp).value()
#define COMPONO_ASSIGN(decl, expr) \
  COMPONO_ASSIGN_IMPL(COMPONO_CONCAT(compono_result_, __LINE__), decl, expr)
