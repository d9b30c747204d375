// compono/component/wasi_p2_io.h — the wasi:io 0.2 contract shared by every
// host interface that hands streams and pollables to components (WASI 0.2
// itself, wasi:http, and any provider).
//
// What a provider implements: InputStream, OutputStream and Pollable, all
// non-blocking. What it gets: the wasi:io/streams and wasi:io/poll functions
// the guest calls on them (read, blocking-read, skip, write,
// blocking-write-and-flush, splice, poll, block, ...), implemented once, in
// src/component/wasi_p2, on top of these classes. Blocking is always done by
// that generic code (blockOn / pollReady below) so every blocking call obeys
// the Store's --timeout deadline the same way.
//
// Handles: an IoTable maps the representations ("reps", u32) of the
// wasi:io resources the host defines (wasi:io/poll.pollable,
// wasi:io/streams.input-stream and output-stream, wasi:io/error.error) to
// the objects behind them. Inside a host callback:
//  - return an object to the guest as an own handle:
//      results.push_back(io.own(std::make_shared<MyInputStream>(...)));
//    The guest owns it from then on; when the guest drops the handle the
//    table lets go of its reference (Linker::defineResource's drop).
//  - get the object behind an argument (borrow<T> or own<T>):
//      std::shared_ptr<InputStream> in = io.inputStream(args[0]);  // nullptr if not live
//    For an own<T> argument the guest gave the handle away: call
//    io.take(args[0]) to drop the table's reference once you are done.
// Reps are unique within one IoTable across all four resource kinds (never
// 0, never reused while live), so a rep of the wrong kind is found out
// (nullptr), never confused with another object.
//
// Wiring (explicit, no globals): the embedder makes one IoTable per WasiCtx
// (per guest run) and passes the same table to wasi::addWasiP2ToLinker and
// to every provider that defines interfaces using wasi:io types in the same
// component::Linker:
//     auto io = std::make_shared<component::wasi_p2::IoTable>();
//     wasi::addWasiP2ToLinker(linker, ctx, io);
//     http::addToLinker(linker, ..., io);
//
// Errors: a stream failure the guest should see is a StreamError (closed, or
// last-operation-failed with a message that becomes a wasi:io/error whose
// to-debug-string returns it). A compono::Error from a blocking helper is a
// trap (the --timeout deadline): return it from the host callback.
//
// Thread safety: IoTable is safe to use from several threads (one mutex).
// Stream and pollable objects are called on the guest's thread only, one
// call at a time; one fed by another thread (a network reader, say) must
// synchronise itself and should expose a file descriptor (an eventfd or a
// pipe) in Pollable::waitOn so that blocking wakes up at once (otherwise the
// generic code re-checks ready() every millisecond).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "compono/component/value.h"
#include "compono/engine/store.h"
#include "compono/result.h"

namespace compono::component::wasi_p2 {

// wasi:io/streams stream-error, as the host sees it.
struct StreamError {
  enum class Kind : uint8_t {
    kClosed,               // `closed`: the stream ended (EOF, peer gone); permanent
    kLastOperationFailed,  // `last-operation-failed(error)`: `message` is the debug string
  };
  Kind kind = Kind::kClosed;
  std::string message;

  static StreamError closed() { return {Kind::kClosed, {}}; }
  static StreamError failed(std::string message) {
    return {Kind::kLastOperationFailed, std::move(message)};
  }
};

// A value or a StreamError (std::monostate for "no value").
template <typename T>
using StreamResult = std::variant<T, StreamError>;
using StreamStatus = StreamResult<std::monostate>;

using Bytes = std::vector<uint8_t>;

// wasi:io/poll.pollable: an event that becomes ready (and then stays ready,
// as the WIT says: "once ready, a pollable stays ready").
class Pollable {
 public:
  virtual ~Pollable() = default;
  // True when the event has happened. Never blocks.
  virtual bool ready() = 0;

  // What the host can wait on until ready() may have become true: a file
  // descriptor with poll(2) events, and/or a CLOCK_MONOTONIC deadline in
  // nanoseconds. Both unset: re-checked every millisecond while blocking.
  struct Wait {
    int fd = -1;
    short events = 0;  // POLLIN, POLLOUT
    std::optional<uint64_t> deadlineNs;
  };
  virtual Wait waitOn() { return {}; }
};

// wasi:io/streams.input-stream.
class InputStream {
 public:
  virtual ~InputStream() = default;
  // Non-blocking: up to `max` bytes available now; empty when none are
  // available yet (the guest then waits on subscribe()). closed() at the end.
  virtual StreamResult<Bytes> read(uint64_t max) = 0;
  // Non-blocking: discards up to `max` bytes; how many were discarded.
  // The default reads and throws away.
  virtual StreamResult<uint64_t> skip(uint64_t max);
  // Ready when read() would return bytes, or an error (closed, failed).
  virtual std::shared_ptr<Pollable> subscribe() = 0;
};

// wasi:io/streams.output-stream.
class OutputStream {
 public:
  virtual ~OutputStream() = default;
  // How many bytes write() accepts now (0: none yet, wait on subscribe()).
  // Never blocks.
  virtual StreamResult<uint64_t> checkWrite() = 0;
  // Accepts `bytes` (the caller never passes more than checkWrite() last
  // allowed). Never blocks.
  virtual StreamStatus write(std::span<const uint8_t> bytes) = 0;
  // Starts flushing what was written; checkWrite() may return 0 until the
  // flush completes. Never blocks. The default has nothing to flush.
  virtual StreamStatus flush() { return std::monostate{}; }
  // Ready when checkWrite() would return more than 0, or an error.
  virtual std::shared_ptr<Pollable> subscribe() = 0;
};

// The wasi:io resource kinds an IoTable holds.
enum class IoKind : uint8_t { kPollable, kInputStream, kOutputStream, kError };

// Reps -> objects for the wasi:io resources (see the file comment).
class IoTable {
 public:
  // Own handles to return to the guest (Value::own(rep)).
  Value own(std::shared_ptr<Pollable> p);
  Value own(std::shared_ptr<InputStream> s);
  Value own(std::shared_ptr<OutputStream> s);
  // A wasi:io/error.error carrying `message` (its to-debug-string).
  Value ownError(std::string message);
  // The wasi:io/streams stream-error variant for `e` (`closed`, or
  // `last-operation-failed` with a new own<error>).
  Value streamError(const StreamError& e);

  // The object behind a borrow or own handle Value; nullptr when the handle
  // is not a live one of that kind.
  std::shared_ptr<Pollable> pollable(const Value& handle) const;
  std::shared_ptr<InputStream> inputStream(const Value& handle) const;
  std::shared_ptr<OutputStream> outputStream(const Value& handle) const;
  std::optional<std::string> errorMessage(const Value& handle) const;
  // Forgets a rep (the guest dropped it, or passed an own handle away).
  void take(const Value& handle) { drop(handle.handle); }
  void drop(uint32_t rep);
  // Handles currently live (for tests and leak checks).
  size_t size() const;

 private:
  using Object = std::variant<std::shared_ptr<Pollable>, std::shared_ptr<InputStream>,
                              std::shared_ptr<OutputStream>, std::string>;
  uint32_t insert(Object o);
  template <typename T>
  std::shared_ptr<T> find(uint32_t rep) const;

  mutable std::mutex mu_;
  std::unordered_map<uint32_t, Object> objects_;
  uint32_t next_ = 1;
};

// Blocks until at least one of `pollables` is ready and returns the indices
// of the ready ones, in order (wasi:io/poll.poll). Fails with the Store's
// deadline trap when its --timeout passes first; kUsage for an empty list.
Result<std::vector<uint32_t>> pollReady(const engine::Store& store,
                                        std::span<Pollable* const> pollables);
// Blocks until `p` is ready (pollable.block).
Status blockOn(const engine::Store& store, Pollable& p);

// Building blocks for providers.
// A pollable that is always ready.
std::shared_ptr<Pollable> readyPollable();
// Ready once CLOCK_MONOTONIC reaches `deadlineNs`.
std::shared_ptr<Pollable> deadlinePollable(uint64_t deadlineNs);
// Ready when host fd `fd` (not owned; must outlive the pollable) polls
// `events` (POLLIN / POLLOUT; POLLHUP and POLLERR count as ready).
std::shared_ptr<Pollable> fdPollable(int fd, short events);
// Streams over a host fd (pipe, socket, tty, regular file). The stream owns
// `fd` when `owned` (closed with the last reference). Reads and writes never
// block: a fd that is not O_NONBLOCK is first polled. A regular file reads
// from / writes at its own position (`position` when given: pread/pwrite
// from there on, as wasi:filesystem's read-via-stream(offset) does).
std::shared_ptr<InputStream> fdInputStream(int fd, bool owned,
                                           std::optional<uint64_t> position = std::nullopt);
std::shared_ptr<OutputStream> fdOutputStream(int fd, bool owned,
                                             std::optional<uint64_t> position = std::nullopt,
                                             bool append = false);
// An input stream over bytes in memory (then closed).
std::shared_ptr<InputStream> bytesInputStream(Bytes bytes);

}  // namespace compono::component::wasi_p2
