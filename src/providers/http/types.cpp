// wasi:http/types and wasi:http/outgoing-handler on component::Linker.
//
// Every resource of wasi:http/types lives in the RequestCtx of the request
// being handled (current()): reps are indices into RequestCtx::objects, and
// all of them go away with the request, whatever the guest left undropped.
// Streams and pollables are wasi:io objects in the request's IoTable
// (compono/component/wasi_p2_io.h), served by the generic wasi:io code.
#include <algorithm>
#include <cctype>
#include <string>

#include "providers/http/http_internal.h"

namespace compono::providers::http::internal {

using component::HostCall;
using component::Value;
using component::ValueKind;
namespace io = component::wasi_p2;

namespace {

thread_local RequestCtx* tCurrent = nullptr;

// ---- values -------------------------------------------------------------------------

Value bytesValue(std::string_view bytes) {
  std::vector<Value> items;
  items.reserve(bytes.size());
  for (char c : bytes) items.push_back(Value::u8(static_cast<uint8_t>(c)));
  return Value::list(std::move(items));
}

std::string valueBytes(const Value& v) {
  std::string out;
  out.reserve(v.items.size());
  for (const Value& b : v.items) out.push_back(static_cast<char>(b.u));
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// variant method { get, head, post, put, delete, connect, options, trace, patch, other(string) }
const char* const kMethods[] = {"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                "CONNECT", "OPTIONS", "TRACE", "PATCH"};

Value methodValue(const std::string& m) {
  for (uint32_t i = 0; i < 9; ++i) {
    if (m == kMethods[i]) return Value::variant(i);
  }
  return Value::variant(9, {Value::string(m)});
}

std::string methodText(const Value& v) {
  if (v.discriminant < 9) return kMethods[v.discriminant];
  return v.items.empty() ? std::string() : v.items[0].str;
}

// variant scheme { HTTP, HTTPS, other(string) }
Value schemeValue(const std::string& s) {
  if (equalsIgnoreCase(s, "http")) return Value::variant(0);
  if (equalsIgnoreCase(s, "https")) return Value::variant(1);
  return Value::variant(2, {Value::string(s)});
}

std::string schemeText(const Value& v) {
  if (v.discriminant == 0) return "http";
  if (v.discriminant == 1) return "https";
  return v.items.empty() ? std::string() : v.items[0].str;
}

Value optionString(const std::optional<std::string>& s) {
  return s ? Value::some(Value::string(*s)) : Value::none();
}

Value optionU64(const std::optional<uint64_t>& x) {
  return x ? Value::some(Value::u64(*x)) : Value::none();
}

// variant header-error { invalid-syntax, forbidden, immutable }
enum HeaderError : uint32_t { kInvalidSyntax = 0, kForbidden = 1, kImmutable = 2 };

Value headerErr(HeaderError e) { return Value::err({Value::variant(e)}); }

Value entriesValue(const Fields& fields) {
  std::vector<Value> items;
  items.reserve(fields.size());
  for (const auto& [name, value] : fields) {
    items.push_back(Value::tuple({Value::string(name), bytesValue(value)}));
  }
  return Value::list(std::move(items));
}

// ---- plumbing -----------------------------------------------------------------------

Error misuse(const HostCall& call, const std::string& why) {
  return Error::trapError(TrapCode::kHostError,
                          std::string(call.interface()) + "#" + std::string(call.func()) + ": " + why);
}

Result<RequestCtx*> ctxOf(const HostCall& call) {
  RequestCtx* c = tCurrent;
  if (!c) return misuse(call, "called outside of a request");
  return c;
}

template <typename T>
Result<T*> self(const HostCall& call, RequestCtx& c, const Value& handle) {
  T* obj = c.get<T>(handle.handle);
  if (!obj) return misuse(call, "not a live handle");
  return obj;
}

// Takes an own handle's object out of the table (the guest gave it away).
template <typename T>
Result<T> take(const HostCall& call, RequestCtx& c, const Value& handle) {
  auto it = c.objects.find(handle.handle);
  if (it == c.objects.end() || !std::holds_alternative<T>(it->second)) {
    return misuse(call, "not a live handle");
  }
  T obj = std::move(std::get<T>(it->second));
  c.objects.erase(it);
  return obj;
}

using Fn = std::function<Status(HostCall&, RequestCtx&, std::span<const Value>, std::vector<Value>&)>;

void def(component::Linker& linker, const char* iface, const std::string& name, Fn fn) {
  linker.defineFunc(iface, name,
                    [fn = std::move(fn)](HostCall& call, std::span<const Value> args,
                                         std::vector<Value>& results) -> Status {
                      COMPONO_ASSIGN(RequestCtx * c, ctxOf(call));
                      return fn(call, *c, args, results);
                    });
}

void resource(component::Linker& linker, const char* iface, const char* name) {
  linker.defineResource(iface, name, [](uint32_t rep) {
    if (RequestCtx* c = tCurrent) c->objects.erase(rep);
  });
}

uint32_t immutableFields(RequestCtx& c, const Fields& entries) {
  return c.add(FieldsObj{entries, true});
}

Result<FieldsObj> takeFields(const HostCall& call, RequestCtx& c, const Value& handle) {
  return take<FieldsObj>(call, c, handle);
}

// Checks a name and values for fields.set/append/from-list.
std::optional<HeaderError> checkField(std::string_view name, std::span<const std::string> values) {
  if (!validFieldName(name)) return kInvalidSyntax;
  for (const std::string& v : values) {
    if (!validFieldValue(v)) return kInvalidSyntax;
  }
  if (forbiddenField(name)) return kForbidden;
  return std::nullopt;
}

// ---- fields -------------------------------------------------------------------------

void defineFields(component::Linker& l) {
  resource(l, kTypes, "fields");
  def(l, kTypes, "[constructor]fields", [](HostCall&, RequestCtx& c, auto, auto& out) -> Status {
    out.push_back(Value::own(c.add(FieldsObj{})));
    return okStatus();
  });
  def(l, kTypes, "[static]fields.from-list", [](HostCall&, RequestCtx& c, auto args, auto& out) -> Status {
    FieldsObj f;
    for (const Value& entry : args[0].items) {
      std::string name = entry.items[0].str;
      std::string value = valueBytes(entry.items[1]);
      if (auto e = checkField(name, std::span<const std::string>(&value, 1))) {
        out.push_back(headerErr(*e));
        return okStatus();
      }
      f.entries.emplace_back(std::move(name), std::move(value));
    }
    out.push_back(Value::ok({Value::own(c.add(std::move(f)))}));
    return okStatus();
  });
  def(l, kTypes, "[method]fields.get", [](HostCall& call, RequestCtx& c, auto args, auto& out) -> Status {
    COMPONO_ASSIGN(FieldsObj * f, self<FieldsObj>(call, c, args[0]));
    std::vector<Value> values;
    for (const auto& [n, v] : f->entries) {
      if (equalsIgnoreCase(n, args[1].str)) values.push_back(bytesValue(v));
    }
    out.push_back(Value::list(std::move(values)));
    return okStatus();
  });
  def(l, kTypes, "[method]fields.has", [](HostCall& call, RequestCtx& c, auto args, auto& out) -> Status {
    COMPONO_ASSIGN(FieldsObj * f, self<FieldsObj>(call, c, args[0]));
    bool has = std::any_of(f->entries.begin(), f->entries.end(),
                           [&](const auto& e) { return equalsIgnoreCase(e.first, args[1].str); });
    out.push_back(Value::boolean(has));
    return okStatus();
  });
  def(l, kTypes, "[method]fields.set", [](HostCall& call, RequestCtx& c, auto args, auto& out) -> Status {
    COMPONO_ASSIGN(FieldsObj * f, self<FieldsObj>(call, c, args[0]));
    if (f->immutable) return out.push_back(headerErr(kImmutable)), okStatus();
    std::vector<std::string> values;
    for (const Value& v : args[2].items) values.push_back(valueBytes(v));
    if (auto e = checkField(args[1].str, values)) return out.push_back(headerErr(*e)), okStatus();
    std::erase_if(f->entries, [&](const auto& e) { return equalsIgnoreCase(e.first, args[1].str); });
    for (std::string& v : values) f->entries.emplace_back(args[1].str, std::move(v));
    out.push_back(Value::ok());
    return okStatus();
  });
  def(l, kTypes, "[method]fields.delete", [](HostCall& call, RequestCtx& c, auto args, auto& out) -> Status {
    COMPONO_ASSIGN(FieldsObj * f, self<FieldsObj>(call, c, args[0]));
    if (f->immutable) return out.push_back(headerErr(kImmutable)), okStatus();
    if (auto e = checkField(args[1].str, {})) return out.push_back(headerErr(*e)), okStatus();
    std::erase_if(f->entries, [&](const auto& e) { return equalsIgnoreCase(e.first, args[1].str); });
    out.push_back(Value::ok());
    return okStatus();
  });
  def(l, kTypes, "[method]fields.append", [](HostCall& call, RequestCtx& c, auto args, auto& out) -> Status {
    COMPONO_ASSIGN(FieldsObj * f, self<FieldsObj>(call, c, args[0]));
    if (f->immutable) return out.push_back(headerErr(kImmutable)), okStatus();
    std::string value = valueBytes(args[2]);
    if (auto e = checkField(args[1].str, std::span<const std::string>(&value, 1))) {
      return out.push_back(headerErr(*e)), okStatus();
    }
    f->entries.emplace_back(args[1].str, std::move(value));
    out.push_back(Value::ok());
    return okStatus();
  });
  def(l, kTypes, "[method]fields.entries", [](HostCall& call, RequestCtx& c, auto args, auto& out) -> Status {
    COMPONO_ASSIGN(FieldsObj * f, self<FieldsObj>(call, c, args[0]));
    out.push_back(entriesValue(f->entries));
    return okStatus();
  });
  def(l, kTypes, "[method]fields.clone", [](HostCall& call, RequestCtx& c, auto args, auto& out) -> Status {
    COMPONO_ASSIGN(FieldsObj * f, self<FieldsObj>(call, c, args[0]));
    out.push_back(Value::own(c.add(FieldsObj{f->entries, false})));
    return okStatus();
  });
  def(l, kTypes, "http-error-code", [](HostCall&, RequestCtx&, auto, auto& out) -> Status {
    out.push_back(Value::none());
    return okStatus();
  });
}

// ---- incoming request, bodies, trailers -----------------------------------------------

// An incoming-body handle over `bytes`.
Value incomingBody(RequestCtx& c, std::shared_ptr<const std::string> bytes) {
  return Value::own(c.add(IncomingBodyObj{std::move(bytes), false}));
}

void defineIncoming(component::Linker& l) {
  resource(l, kTypes, "incoming-request");
  resource(l, kTypes, "incoming-body");
  resource(l, kTypes, "future-trailers");
  def(l, kTypes, "[method]incoming-request.method", [](HostCall&, RequestCtx& c, auto, auto& out) -> Status {
    out.push_back(methodValue(c.request->method));
    return okStatus();
  });
  def(l, kTypes, "[method]incoming-request.path-with-query",
      [](HostCall&, RequestCtx& c, auto, auto& out) -> Status {
        out.push_back(Value::some(Value::string(c.request->target)));
        return okStatus();
      });
  def(l, kTypes, "[method]incoming-request.scheme", [](HostCall&, RequestCtx& c, auto, auto& out) -> Status {
    out.push_back(Value::some(schemeValue(c.request->scheme)));
    return okStatus();
  });
  def(l, kTypes, "[method]incoming-request.authority",
      [](HostCall&, RequestCtx& c, auto, auto& out) -> Status {
        out.push_back(c.request->authority.empty() ? Value::none()
                                                   : Value::some(Value::string(c.request->authority)));
        return okStatus();
      });
  def(l, kTypes, "[method]incoming-request.headers",
      [](HostCall&, RequestCtx& c, auto, auto& out) -> Status {
        out.push_back(Value::own(immutableFields(c, c.request->headers)));
        return okStatus();
      });
  def(l, kTypes, "[method]incoming-request.consume",
      [](HostCall& call, RequestCtx& c, auto args, auto& out) -> Status {
        COMPONO_ASSIGN(IncomingRequestObj * r, self<IncomingRequestObj>(call, c, args[0]));
        if (r->consumed) return out.push_back(Value::err()), okStatus();
        r->consumed = true;
        auto bytes = std::make_shared<const std::string>(c.request->body);
        out.push_back(Value::ok({incomingBody(c, std::move(bytes))}));
        return okStatus();
      });
  def(l, kTypes, "[method]incoming-body.stream",
      [](HostCall& call, RequestCtx& c, auto args, auto& out) -> Status {
        COMPONO_ASSIGN(IncomingBodyObj * b, self<IncomingBodyObj>(call, c, args[0]));
        if (b->streamTaken) return out.push_back(Value::err()), okStatus();
        b->streamTaken = true;
        io::Bytes bytes(b->bytes->begin(), b->bytes->end());
        out.push_back(Value::ok({c.io->own(io::bytesInputStream(std::move(bytes)))}));
        return okStatus();
      });
  def(l, kTypes, "[static]incoming-body.finish",
      [](HostCall& call, RequestCtx& c, auto args, auto& out) -> Status {
        COMPONO_TRY(take<IncomingBodyObj>(call, c, args[0]));
        out.push_back(Value::own(c.add(FutureTrailersObj{})));
        return okStatus();
      });
  // HTTP/1.1 request trailers are not passed on: the future is ready at
  // once with no trailers.
  def(l, kTypes, "[method]future-trailers.subscribe",
      [](HostCall&, RequestCtx& c, auto, auto& out) -> Status {
        out.push_back(c.io->own(io::readyPollable()));
        return okStatus();
      });
  def(l, kTypes, "[method]future-trailers.get",
      [](HostCall& call, RequestCtx& c, auto args, auto& out) -> Status {
        COMPONO_ASSIGN(FutureTrailersObj * f, self<FutureTrailersObj>(call, c, args[0]));
        if (f->delivered) return out.push_back(Value::some(Value::err())), okStatus();
        f->delivered = true;
        out.push_back(Value::some(Value::ok({Value::ok({Value::none()})})));
        return okStatus();
      });
}

// ---- outgoing response and bodies -------------------------------------------------------

// The output stream of an outgoing body: appends to the OutBody up to its limit.
class BodyStream final : public io::OutputStream {
 public:
  explicit BodyStream(std::shared_ptr<OutBody> body) : body_(std::move(body)) {}
  io::StreamResult<uint64_t> checkWrite() override {
    if (body_->finished) return io::StreamError::closed();
    if (body_->data.size() >= body_->limit) {
      return io::StreamError::failed("the body is larger than the host's limit of " +
                                     std::to_string(body_->limit) + " bytes");
    }
    return std::min<uint64_t>(body_->limit - body_->data.size(), 1 << 20);
  }
  io::StreamStatus write(std::span<const uint8_t> bytes) override {
    if (body_->finished) return io::StreamError::closed();
    if (body_->data.size() + bytes.size() > body_->limit) {
      return io::StreamError::failed("the body is larger than the host's limit of " +
                                     std::to_string(body_->limit) + " bytes");
    }
    body_->data.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    return std::monostate{};
  }
  std::shared_ptr<io::Pollable> subscribe() override { return io::readyPollable(); }

 private:
  std::shared_ptr<OutBody> body_;
};

// outgoing-response.body / outgoing-request.body.
Value takeBody(RequestCtx& c, std::shared_ptr<OutBody>& slot) {
  if (slot) return Value::err();
  slot = std::make_shared<OutBody>();
  slot->limit = c.maxResponseBytes;
  return Value::ok({Value::own(c.add(OutgoingBodyObj{slot}))});
}

void defineOutgoing(component::Linker& l) {
  resource(l, kTypes, "outgoing-response");
  resource(l, kTypes, "outgoing-body");
  resource(l, kTypes, "response-outparam");
  def(l, kTypes, "[constructor]outgoing-response",
      [](HostCall& call, RequestCtx& c, auto args, auto& out) -> Status {
        COMPONO_ASSIGN(FieldsObj f, takeFields(call, c, args[0]));
        OutgoingResponseObj r;
        r.headers = std::move(f.entries);
        out.push_back(Value::own(c.add(std::move(r))));
        return okStatus();
      });
  def(l, kTypes, "[method]outgoing-response.status-code",
      [](HostCall& call, RequestCtx& c, auto args, auto& out) -> Status {
        COMPONO_ASSIGN(OutgoingResponseObj * r, self<OutgoingResponseObj>(call, c, args[0]));
        out.push_back(Value::u16(r->status));
        return okStatus();
      });
  def(l, kTypes, "[method]outgoing-response.set-status-code",
      [](HostCall& call, RequestCtx& c, auto args, auto& out) -> Status {
        COMPONO_ASSIGN(OutgoingResponseObj * r, self<OutgoingResponseObj>(call, c, args[0]));
        uint64_t s = args[1].u;
        if (s < 100 || s > 999) return out.push_back(Value::err()), okStatus();
        r->status = static_cast<uint16_t>(s);
        out.push_back(Value::ok());
        return okStatus();
      });
  def(l, kTypes, "[method]outgoing-response.headers",
      [](HostCall& call, RequestCtx& c, auto args, auto& out) -> Status {
        COMPONO_ASSIGN(OutgoingResponseObj * r, self<OutgoingResponseObj>(call, c, args[0]));
        out.push_back(Value::own(immutableFields(c, r->headers)));
        return okStatus();
      });
  def(l, kTypes, "[method]outgoing-response.body",
      [](HostCall& call, RequestCtx& c, auto args, auto& out) -> Status {
        COMPONO_ASSIGN(OutgoingResponseObj * r, self<OutgoingResponseObj>(call, c, args[0]));
        out.push_back(takeBody(c, r->body));
        return okStatus();
      });
  def(l, kTypes, "[method]outgoing-body.write",
      [](HostCall& call, RequestCtx& c, auto args, auto& out) -> Status {
        COMPONO_ASSIGN(OutgoingBodyObj * b, self<OutgoingBodyObj>(call, c, args[0]));
        if (b->body->streamTaken) return out.push_back(Value::err()), okStatus();
        b->body->streamTaken = true;
        out.push_back(Value::ok({c.io->own(std::make_shared<BodyStream>(b->body))}));
        return okStatus();
      });
  def(l, kTypes, "[static]outgoing-body.finish",
      [](HostCall& call, RequestCtx& c, auto args, auto& out) -> Status {
        COMPONO_ASSIGN(OutgoingBodyObj b, take<OutgoingBodyObj>(call, c, args[0]));
        if (args[1].discriminant == 1) {
          COMPONO_ASSIGN(FieldsObj t, takeFields(call, c, args[1].items[0]));
          b.body->trailers = std::move(t.entries);
        }
        b.body->finished = true;
        out.push_back(Value::ok());
        return okStatus();
      });
  def(l, kTypes, "[static]response-outparam.set",
      [](HostCall& call, RequestCtx& c, auto args, auto&) -> Status {
        COMPONO_TRY(take<ResponseOutparamObj>(call, c, args[0]));
        c.outparamSet = true;
        const Value& r = args[1];
        if (r.discriminant == 0) {
          COMPONO_ASSIGN(OutgoingResponseObj resp, take<OutgoingResponseObj>(call, c, r.items[0]));
          c.response = std::move(resp);
        } else {
          c.responseError = "the component answered error-code case " +
                            std::to_string(r.items.empty() ? 0 : r.items[0].discriminant);
          if (!r.items.empty() && r.items[0].discriminant == kInternalError &&
              !r.items[0].items.empty() && r.items[0].items[0].discriminant == 1) {
            c.responseError += " (internal-error: " + r.items[0].items[0].items[0].str + ")";
          }
        }
        return okStatus();
      });
}

// ---- outgoing requests ----------------------------------------------------------------

// Ready when the request's body (if any) is finished, so that the request
// can be sent as a whole.
class SendablePollable final : public io::Pollable {
 public:
  explicit SendablePollable(std::shared_ptr<OutBody> body) : body_(std::move(body)) {}
  bool ready() override { return !body_ || body_->finished; }

 private:
  std::shared_ptr<OutBody> body_;
};

void defineClient(component::Linker& l) {
  resource(l, kTypes, "outgoing-request");
  resource(l, kTypes, "request-options");
  resource(l, kTypes, "future-incoming-response");
  resource(l, kTypes, "incoming-response");
  def(l, kTypes, "[constructor]outgoing-request",
      [](HostCall& call, RequestCtx& c, auto args, auto& out) -> Status {
        COMPONO_ASSIGN(FieldsObj f, takeFields(call, c, args[0]));
        OutgoingRequestObj r;
        r.headers = std::move(f.entries);
        out.push_back(Value::own(c.add(std::move(r))));
        return okStatus();
      });
  using R = OutgoingRequestObj;
  def(l, kTypes, "[method]outgoing-request.body", [](HostCall& call, RequestCtx& c, auto args, auto& out) -> Status {
    COMPONO_ASSIGN(R * r, self<R>(call, c, args[0]));
    out.push_back(takeBody(c, r->body));
    return okStatus();
  });
  def(l, kTypes, "[method]outgoing-request.method", [](HostCall& call, RequestCtx& c, auto args, auto& out) -> Status {
    COMPONO_ASSIGN(R * r, self<R>(call, c, args[0]));
    out.push_back(methodValue(r->method));
    return okStatus();
  });
  def(l, kTypes, "[method]outgoing-request.set-method",
      [](HostCall& call, RequestCtx& c, auto args, auto& out) -> Status {
        COMPONO_ASSIGN(R * r, self<R>(call, c, args[0]));
        std::string m = methodText(args[1]);
        if (m.empty() || !validFieldName(m)) return out.push_back(Value::err()), okStatus();
        r->method = std::move(m);
        out.push_back(Value::ok());
        return okStatus();
      });
  def(l, kTypes, "[method]outgoing-request.path-with-query",
      [](HostCall& call, RequestCtx& c, auto args, auto& out) -> Status {
        COMPONO_ASSIGN(R * r, self<R>(call, c, args[0]));
        out.push_back(optionString(r->pathWithQuery));
        return okStatus();
      });
  def(l, kTypes, "[method]outgoing-request.set-path-with-query",
      [](HostCall& call, RequestCtx& c, auto args, auto& out) -> Status {
        COMPONO_ASSIGN(R * r, self<R>(call, c, args[0]));
        if (args[1].discriminant == 1) {
          const std::string& p = args[1].items[0].str;
          bool ok = std::none_of(p.begin(), p.end(), [](char ch) {
            return static_cast<unsigned char>(ch) <= ' ' || ch == 0x7f;
          });
          if (!ok) return out.push_back(Value::err()), okStatus();
          r->pathWithQuery = p;
        } else {
          r->pathWithQuery.reset();
        }
        out.push_back(Value::ok());
        return okStatus();
      });
  def(l, kTypes, "[method]outgoing-request.scheme", [](HostCall& call, RequestCtx& c, auto args, auto& out) -> Status {
    COMPONO_ASSIGN(R * r, self<R>(call, c, args[0]));
    out.push_back(r->scheme ? Value::some(schemeValue(*r->scheme)) : Value::none());
    return okStatus();
  });
  def(l, kTypes, "[method]outgoing-request.set-scheme",
      [](HostCall& call, RequestCtx& c, auto args, auto& out) -> Status {
        COMPONO_ASSIGN(R * r, self<R>(call, c, args[0]));
        if (args[1].discriminant == 1) {
          r->scheme = schemeText(args[1].items[0]);
        } else {
          r->scheme.reset();
        }
        out.push_back(Value::ok());
        return okStatus();
      });
  def(l, kTypes, "[method]outgoing-request.authority",
      [](HostCall& call, RequestCtx& c, auto args, auto& out) -> Status {
        COMPONO_ASSIGN(R * r, self<R>(call, c, args[0]));
        out.push_back(optionString(r->authority));
        return okStatus();
      });
  def(l, kTypes, "[method]outgoing-request.set-authority",
      [](HostCall& call, RequestCtx& c, auto args, auto& out) -> Status {
        COMPONO_ASSIGN(R * r, self<R>(call, c, args[0]));
        if (args[1].discriminant == 1) {
          const std::string& a = args[1].items[0].str;
          bool ok = !a.empty() && std::none_of(a.begin(), a.end(), [](char ch) {
            return static_cast<unsigned char>(ch) <= ' ' || ch == '/' || ch == '?' || ch == '#' ||
                   ch == '@';
          });
          if (!ok) return out.push_back(Value::err()), okStatus();
          r->authority = a;
        } else {
          r->authority.reset();
        }
        out.push_back(Value::ok());
        return okStatus();
      });
  def(l, kTypes, "[method]outgoing-request.headers",
      [](HostCall& call, RequestCtx& c, auto args, auto& out) -> Status {
        COMPONO_ASSIGN(R * r, self<R>(call, c, args[0]));
        out.push_back(Value::own(immutableFields(c, r->headers)));
        return okStatus();
      });

  using O = RequestOptionsObj;
  def(l, kTypes, "[constructor]request-options", [](HostCall&, RequestCtx& c, auto, auto& out) -> Status {
    out.push_back(Value::own(c.add(O{})));
    return okStatus();
  });
  struct Opt {
    const char* name;
    std::optional<uint64_t> O::*field;
  };
  static const Opt kOpts[] = {{"connect-timeout", &O::connectTimeoutNs},
                              {"first-byte-timeout", &O::firstByteTimeoutNs},
                              {"between-bytes-timeout", &O::betweenBytesTimeoutNs}};
  for (const Opt& o : kOpts) {
    auto field = o.field;
    def(l, kTypes, std::string("[method]request-options.") + o.name,
        [field](HostCall& call, RequestCtx& c, auto args, auto& out) -> Status {
          COMPONO_ASSIGN(O * opts, self<O>(call, c, args[0]));
          out.push_back(optionU64(opts->*field));
          return okStatus();
        });
    def(l, kTypes, std::string("[method]request-options.set-") + o.name,
        [field](HostCall& call, RequestCtx& c, auto args, auto& out) -> Status {
          COMPONO_ASSIGN(O * opts, self<O>(call, c, args[0]));
          if (args[1].discriminant == 1) {
            opts->*field = args[1].items[0].u;
          } else {
            (opts->*field).reset();
          }
          out.push_back(Value::ok());
          return okStatus();
        });
  }

  def(l, kOutgoingHandler, "handle", [](HostCall& call, RequestCtx& c, auto args, auto& out) -> Status {
    COMPONO_ASSIGN(R r, take<R>(call, c, args[0]));
    O options;
    if (args[1].discriminant == 1) {
      COMPONO_ASSIGN(O o, take<O>(call, c, args[1].items[0]));
      options = o;
    }
    std::string authority = r.authority.value_or("");
    if (authority.empty()) {
      out.push_back(Value::err({errorCode(kHttpRequestUriInvalid)}));
      return okStatus();
    }
    if (!hostAllowed(*c.allowHosts, authority)) {
      out.push_back(Value::err({errorCode(kHttpRequestDenied)}));
      return okStatus();
    }
    out.push_back(Value::ok({Value::own(c.add(FutureResponseObj{std::move(r), options, {}, false}))}));
    return okStatus();
  });
  using F = FutureResponseObj;
  def(l, kTypes, "[method]future-incoming-response.subscribe",
      [](HostCall& call, RequestCtx& c, auto args, auto& out) -> Status {
        COMPONO_ASSIGN(F * f, self<F>(call, c, args[0]));
        out.push_back(c.io->own(std::make_shared<SendablePollable>(f->request.body)));
        return okStatus();
      });
  def(l, kTypes, "[method]future-incoming-response.get",
      [](HostCall& call, RequestCtx& c, auto args, auto& out) -> Status {
        COMPONO_ASSIGN(F * f, self<F>(call, c, args[0]));
        if (f->delivered) return out.push_back(Value::some(Value::err())), okStatus();
        if (f->request.body && !f->request.body->finished) {
          return out.push_back(Value::none()), okStatus();
        }
        // Sent now, as a whole, within the request's own deadline.
        ClientResult res = sendRequest(f->request, f->options, c.store->millisUntilDeadline(),
                                       c.maxResponseBytes);
        COMPONO_TRY(c.store->checkDeadline());
        f->delivered = true;
        if (!res.response) {
          out.push_back(Value::some(Value::ok({Value::err({std::move(res.error)})})));
        } else {
          uint32_t rep = c.add(std::move(*res.response));
          out.push_back(Value::some(Value::ok({Value::ok({Value::own(rep)})})));
        }
        return okStatus();
      });
  using IR = IncomingResponseObj;
  def(l, kTypes, "[method]incoming-response.status", [](HostCall& call, RequestCtx& c, auto args, auto& out) -> Status {
    COMPONO_ASSIGN(IR * r, self<IR>(call, c, args[0]));
    out.push_back(Value::u16(r->status));
    return okStatus();
  });
  def(l, kTypes, "[method]incoming-response.headers",
      [](HostCall& call, RequestCtx& c, auto args, auto& out) -> Status {
        COMPONO_ASSIGN(IR * r, self<IR>(call, c, args[0]));
        out.push_back(Value::own(immutableFields(c, r->headers)));
        return okStatus();
      });
  def(l, kTypes, "[method]incoming-response.consume",
      [](HostCall& call, RequestCtx& c, auto args, auto& out) -> Status {
        COMPONO_ASSIGN(IR * r, self<IR>(call, c, args[0]));
        if (r->consumed) return out.push_back(Value::err()), okStatus();
        r->consumed = true;
        out.push_back(Value::ok({incomingBody(c, r->body)}));
        return okStatus();
      });
}

}  // namespace

RequestCtx* current() { return tCurrent; }
void setCurrent(RequestCtx* ctx) { tCurrent = ctx; }

Value errorCode(uint32_t c) { return Value::variant(c); }

Value internalError(std::string message) {
  return Value::variant(kInternalError, {Value::some(Value::string(std::move(message)))});
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// RFC 9110 5.1: field-name = token.
bool validFieldName(std::string_view name) {
  if (name.empty()) return false;
  static const std::string_view kExtra = "!#$%&'*+-.^_`|~";
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || kExtra.find(c) != std::string_view::npos;
  });
}

// RFC 9110 5.5: no CR, LF or NUL in a field value.
bool validFieldValue(std::string_view value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

bool forbiddenField(std::string_view name) {
  static const char* const kHopByHop[] = {"connection", "keep-alive",        "proxy-connection",
                                          "te",         "transfer-encoding", "upgrade",
                                          "http2-settings"};
  std::string n = lower(name);
  return std::any_of(std::begin(kHopByHop), std::end(kHopByHop),
                     [&](const char* f) { return n == f; });
}

bool hostAllowed(const std::vector<std::string>& allowHosts, const std::string& authority) {
  std::string host = lower(authority);
  std::string port = "80";
  size_t colon = host.rfind(':');
  size_t bracket = host.rfind(']');
  if (colon != std::string::npos && (bracket == std::string::npos || colon > bracket)) {
    port = host.substr(colon + 1);
    host.resize(colon);
  }
  for (const std::string& entry : allowHosts) {
    std::string e = lower(entry);
    size_t ec = e.rfind(':');
    size_t eb = e.rfind(']');
    if (ec != std::string::npos && (eb == std::string::npos || ec > eb)) {
      if (e.substr(0, ec) == host && e.substr(ec + 1) == port) return true;
    } else if (e == host) {
      return true;
    }
  }
  return false;
}

void addHttpToLinker(component::Linker& linker) {
  defineFields(linker);
  defineIncoming(linker);
  defineOutgoing(linker);
  defineClient(linker);
}

}  // namespace compono::providers::http::internal
