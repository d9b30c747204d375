// Internal to the wasi:http provider: the per-request state behind the
// wasi:http/types resources, the outgoing client, and the linker wiring.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "compono/component/linker.h"
#include "compono/component/value.h"
#include "compono/component/wasi_p2_io.h"
#include "compono/providers/http.h"

namespace compono::providers::http::internal {

inline constexpr const char* kTypes = "wasi:http/types@0.2.0";
inline constexpr const char* kIncomingHandler = "wasi:http/incoming-handler@0.2.0";
inline constexpr const char* kOutgoingHandler = "wasi:http/outgoing-handler@0.2.0";

// Cases of wasi:http/types.error-code used by the host (WIT declaration order).
enum ErrorCase : uint32_t {
  kDnsError = 1,
  kConnectionRefused = 6,
  kConnectionTimeout = 8,
  kHttpRequestDenied = 15,
  kHttpRequestUriInvalid = 19,
  kHttpResponseIncomplete = 25,
  kHttpResponseBodySize = 28,
  kHttpResponseTimeout = 33,
  kHttpProtocolError = 35,
  kInternalError = 38,
};
// error-code `internal-error(some(message))` or a payload-less case.
component::Value errorCode(uint32_t c);
component::Value internalError(std::string message);

// A body being written by the guest (outgoing-response or outgoing-request).
struct OutBody {
  std::string data;
  uint64_t limit = 0;       // bytes the guest may write
  bool streamTaken = false;
  bool finished = false;    // outgoing-body.finish was called
  std::optional<Fields> trailers;
};

struct FieldsObj {
  Fields entries;
  bool immutable = false;
};
struct IncomingRequestObj {
  bool consumed = false;
};
struct IncomingBodyObj {
  std::shared_ptr<const std::string> bytes;
  bool streamTaken = false;
};
struct FutureTrailersObj {
  bool delivered = false;
};
struct OutgoingResponseObj {
  uint16_t status = 200;
  Fields headers;
  std::shared_ptr<OutBody> body;  // null until body() is called
};
struct OutgoingBodyObj {
  std::shared_ptr<OutBody> body;
};
struct ResponseOutparamObj {};
struct RequestOptionsObj {
  std::optional<uint64_t> connectTimeoutNs, firstByteTimeoutNs, betweenBytesTimeoutNs;
};
struct OutgoingRequestObj {
  std::string method = "GET";
  std::optional<std::string> pathWithQuery;
  std::optional<std::string> scheme;  // "http", "https", other
  std::optional<std::string> authority;
  Fields headers;
  std::shared_ptr<OutBody> body;
};
struct IncomingResponseObj {
  uint16_t status = 0;
  Fields headers;
  std::shared_ptr<const std::string> body;
  bool consumed = false;
};
// What an outgoing request came to.
struct ClientResult {
  std::optional<IncomingResponseObj> response;
  component::Value error;  // error-code when !response
};
struct FutureResponseObj {
  OutgoingRequestObj request;
  RequestOptionsObj options;
  std::optional<ClientResult> result;
  bool delivered = false;
};

using Object = std::variant<FieldsObj, IncomingRequestObj, IncomingBodyObj, FutureTrailersObj,
                            OutgoingResponseObj, OutgoingBodyObj, ResponseOutparamObj,
                            RequestOptionsObj, OutgoingRequestObj, IncomingResponseObj,
                            FutureResponseObj>;

// Everything one request's guest sees of wasi:http; lives for one call of
// incoming-handler.handle on one thread (see current()).
struct RequestCtx {
  const Request* request = nullptr;
  const std::vector<std::string>* allowHosts = nullptr;
  const engine::Store* store = nullptr;
  component::wasi_p2::IoTable* io = nullptr;
  uint64_t maxResponseBytes = 64ull << 20;

  std::unordered_map<uint32_t, Object> objects;
  uint32_t next = 1;

  // The response-outparam outcome.
  bool outparamSet = false;
  std::optional<OutgoingResponseObj> response;
  std::string responseError;  // the guest set an error-code instead

  uint32_t add(Object o) {
    uint32_t rep = next++;
    objects.emplace(rep, std::move(o));
    return rep;
  }
  template <typename T>
  T* get(uint32_t rep) {
    auto it = objects.find(rep);
    return it == objects.end() ? nullptr : std::get_if<T>(&it->second);
  }
};

// The request context of the calling thread (set by ComponentHandler around
// the guest call; null outside of one).
RequestCtx* current();
void setCurrent(RequestCtx* ctx);

// Defines wasi:http/types and wasi:http/outgoing-handler in `linker`.
void addHttpToLinker(component::Linker& linker);

// True when `authority` ("host", "host:port") is granted by `allowHosts`
// ("HOST" any port, "HOST:PORT" that port; the default port is 80).
bool hostAllowed(const std::vector<std::string>& allowHosts, const std::string& authority);

// Sends `request` (http only) and reads the whole response, within
// `deadlineMs` milliseconds (-1: none). Never throws.
ClientResult sendRequest(const OutgoingRequestObj& request, const RequestOptionsObj& options,
                         int64_t deadlineMs, uint64_t maxBodyBytes);

// Header rules shared by the types and the server.
bool validFieldName(std::string_view name);
bool validFieldValue(std::string_view value);
// Hop-by-hop headers a guest may not set (connection framing is the host's).
bool forbiddenField(std::string_view name);
bool equalsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace compono::providers::http::internal
