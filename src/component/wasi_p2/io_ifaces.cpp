// wasi:io/error, wasi:io/poll and wasi:io/streams @0.2.0 over the IoTable
// (compono/component/wasi_p2_io.h). Blocking variants are built here from
// the non-blocking stream operations and pollables, under the Store's
// --timeout deadline.
#include <algorithm>

#include "component/wasi_p2/p2.h"

namespace compono::wasi::p2 {

namespace {

using wp2::StreamError;

// blocking-write-and-flush and friends take at most this many bytes (WIT).
constexpr uint64_t kBlockingWriteLimit = 4096;

Value streamErr(wp2::IoTable& io, const StreamError& e) { return Value::err({io.streamError(e)}); }

// Waits until `out` accepts bytes; the permitted count or a stream error.
Result<wp2::StreamResult<uint64_t>> waitWritable(HostCall& call, wp2::OutputStream& out) {
  for (;;) {
    wp2::StreamResult<uint64_t> n = out.checkWrite();
    if (std::holds_alternative<StreamError>(n) || std::get<uint64_t>(n) > 0) return n;
    std::shared_ptr<wp2::Pollable> p = out.subscribe();
    COMPONO_TRY(wp2::blockOn(call.store(), *p));
  }
}

// Writes all of `bytes` (waiting as needed), then flushes and waits for the
// flush: blocking-write-and-flush, blocking-write-zeroes-and-flush and
// blocking-flush (with no bytes).
Result<Value> writeAllAndFlush(HostCall& call, wp2::IoTable& io, wp2::OutputStream& out,
                               std::span<const uint8_t> bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    COMPONO_ASSIGN(auto n, waitWritable(call, out));
    if (auto* e = std::get_if<StreamError>(&n)) return streamErr(io, *e);
    size_t chunk = static_cast<size_t>(std::min<uint64_t>(std::get<uint64_t>(n), bytes.size() - done));
    wp2::StreamStatus w = out.write(bytes.subspan(done, chunk));
    if (auto* e = std::get_if<StreamError>(&w)) return streamErr(io, *e);
    done += chunk;
  }
  wp2::StreamStatus f = out.flush();
  if (auto* e = std::get_if<StreamError>(&f)) return streamErr(io, *e);
  COMPONO_ASSIGN(auto n, waitWritable(call, out));
  if (auto* e = std::get_if<StreamError>(&n)) return streamErr(io, *e);
  return Value::ok();
}

// Moves up to `len` bytes from `in` to `out` without blocking.
Value spliceOnce(wp2::IoTable& io, wp2::InputStream& in, wp2::OutputStream& out, uint64_t len) {
  wp2::StreamResult<uint64_t> n = out.checkWrite();
  if (auto* e = std::get_if<StreamError>(&n)) return streamErr(io, *e);
  uint64_t max = std::min({len, std::get<uint64_t>(n), kMaxBytes});
  if (max == 0) return okOf(Value::u64(0));
  wp2::StreamResult<wp2::Bytes> r = in.read(max);
  if (auto* e = std::get_if<StreamError>(&r)) return streamErr(io, *e);
  const wp2::Bytes& bytes = std::get<wp2::Bytes>(r);
  if (!bytes.empty()) {
    wp2::StreamStatus w = out.write(bytes);
    if (auto* e = std::get_if<StreamError>(&w)) return streamErr(io, *e);
  }
  return okOf(Value::u64(bytes.size()));
}

}  // namespace

void defineIo(Linker& linker, const std::shared_ptr<State>& st) {
  std::shared_ptr<wp2::IoTable> io = st->io;
  auto dropper = [io](uint32_t rep) { io->drop(rep); };
  defResource(linker, "wasi:io/error", "error", dropper);
  defResource(linker, "wasi:io/poll", "pollable", dropper);
  defResource(linker, "wasi:io/streams", "input-stream", dropper);
  defResource(linker, "wasi:io/streams", "output-stream", dropper);

  // Handle lookups: the canonical ABI only hands us live reps of the right
  // resource type, so a miss is a broken invariant (or a provider sharing
  // the table misusing it); it traps rather than corrupting anything.
  auto inOf = [io](HostCall& c, const Value& h) -> Result<std::shared_ptr<wp2::InputStream>> {
    if (auto s = io->inputStream(h)) return s;
    return refuse(c, "input-stream handle " + std::to_string(h.handle) + " is not live");
  };
  auto outOf = [io](HostCall& c, const Value& h) -> Result<std::shared_ptr<wp2::OutputStream>> {
    if (auto s = io->outputStream(h)) return s;
    return refuse(c, "output-stream handle " + std::to_string(h.handle) + " is not live");
  };
  auto pollOf = [io](HostCall& c, const Value& h) -> Result<std::shared_ptr<wp2::Pollable>> {
    if (auto p = io->pollable(h)) return p;
    return refuse(c, "pollable handle " + std::to_string(h.handle) + " is not live");
  };

  // --- wasi:io/error
  def(linker, "wasi:io/error", "[method]error.to-debug-string",
      [io](HostCall& c, std::span<const Value> a, std::vector<Value>& r) -> Status {
        std::optional<std::string> m = io->errorMessage(a[0]);
        if (!m) return refuse(c, "error handle is not live");
        r.push_back(Value::string(*m));
        return okStatus();
      });

  // --- wasi:io/poll
  def(linker, "wasi:io/poll", "[method]pollable.ready",
      [pollOf](HostCall& c, std::span<const Value> a, std::vector<Value>& r) -> Status {
        COMPONO_ASSIGN(auto p, pollOf(c, a[0]));
        r.push_back(Value::boolean(p->ready()));
        return okStatus();
      });
  def(linker, "wasi:io/poll", "[method]pollable.block",
      [pollOf](HostCall& c, std::span<const Value> a, std::vector<Value>&) -> Status {
        COMPONO_ASSIGN(auto p, pollOf(c, a[0]));
        return wp2::blockOn(c.store(), *p);
      });
  def(linker, "wasi:io/poll", "poll",
      [pollOf](HostCall& c, std::span<const Value> a, std::vector<Value>& r) -> Status {
        const std::vector<Value>& list = a[0].items;
        if (list.empty()) return refuse(c, "poll of an empty list would never return");
        std::vector<std::shared_ptr<wp2::Pollable>> held;
        std::vector<wp2::Pollable*> ps;
        for (const Value& h : list) {
          COMPONO_ASSIGN(auto p, pollOf(c, h));
          ps.push_back(p.get());
          held.push_back(std::move(p));
        }
        COMPONO_ASSIGN(std::vector<uint32_t> ready, wp2::pollReady(c.store(), ps));
        std::vector<Value> out;
        for (uint32_t i : ready) out.push_back(Value::u32(i));
        r.push_back(Value::list(std::move(out)));
        return okStatus();
      });

  // --- wasi:io/streams: input-stream
  const char* streams = "wasi:io/streams";
  auto readImpl = [io, inOf](bool blocking) {
    return [io, inOf, blocking](HostCall& c, std::span<const Value> a,
                                std::vector<Value>& r) -> Status {
      COMPONO_ASSIGN(auto s, inOf(c, a[0]));
      uint64_t len = std::min<uint64_t>(a[1].u, kMaxBytes);
      for (;;) {
        wp2::StreamResult<wp2::Bytes> got = s->read(len);
        if (auto* e = std::get_if<StreamError>(&got)) {
          r.push_back(streamErr(*io, *e));
          return okStatus();
        }
        const wp2::Bytes& bytes = std::get<wp2::Bytes>(got);
        if (!blocking || !bytes.empty() || len == 0) {
          r.push_back(okOf(bytesValue(bytes)));
          return okStatus();
        }
        std::shared_ptr<wp2::Pollable> p = s->subscribe();
        COMPONO_TRY(wp2::blockOn(c.store(), *p));
      }
    };
  };
  def(linker, streams, "[method]input-stream.read", readImpl(false));
  def(linker, streams, "[method]input-stream.blocking-read", readImpl(true));
  auto skipImpl = [io, inOf](bool blocking) {
    return [io, inOf, blocking](HostCall& c, std::span<const Value> a,
                                std::vector<Value>& r) -> Status {
      COMPONO_ASSIGN(auto s, inOf(c, a[0]));
      uint64_t len = a[1].u;
      for (;;) {
        wp2::StreamResult<uint64_t> got = s->skip(std::min(len, kMaxBytes));
        if (auto* e = std::get_if<StreamError>(&got)) {
          r.push_back(streamErr(*io, *e));
          return okStatus();
        }
        uint64_t n = std::get<uint64_t>(got);
        if (!blocking || n > 0 || len == 0) {
          r.push_back(okOf(Value::u64(n)));
          return okStatus();
        }
        std::shared_ptr<wp2::Pollable> p = s->subscribe();
        COMPONO_TRY(wp2::blockOn(c.store(), *p));
      }
    };
  };
  def(linker, streams, "[method]input-stream.skip", skipImpl(false));
  def(linker, streams, "[method]input-stream.blocking-skip", skipImpl(true));
  def(linker, streams, "[method]input-stream.subscribe",
      [io, inOf](HostCall& c, std::span<const Value> a, std::vector<Value>& r) -> Status {
        COMPONO_ASSIGN(auto s, inOf(c, a[0]));
        r.push_back(io->own(s->subscribe()));
        return okStatus();
      });

  // --- wasi:io/streams: output-stream
  def(linker, streams, "[method]output-stream.check-write",
      [io, outOf](HostCall& c, std::span<const Value> a, std::vector<Value>& r) -> Status {
        COMPONO_ASSIGN(auto s, outOf(c, a[0]));
        wp2::StreamResult<uint64_t> n = s->checkWrite();
        if (auto* e = std::get_if<StreamError>(&n)) r.push_back(streamErr(*io, *e));
        else r.push_back(okOf(Value::u64(std::get<uint64_t>(n))));
        return okStatus();
      });
  // write / write-zeroes: the WIT says writing more than check-write
  // permitted traps.
  auto writeOnce = [io](HostCall& c, wp2::OutputStream& s, std::span<const uint8_t> bytes,
                        std::vector<Value>& r) -> Status {
    wp2::StreamResult<uint64_t> n = s.checkWrite();
    if (auto* e = std::get_if<StreamError>(&n)) {
      r.push_back(streamErr(*io, *e));
      return okStatus();
    }
    if (bytes.size() > std::get<uint64_t>(n)) {
      return refuse(c, "writes " + std::to_string(bytes.size()) +
                           " bytes, more than check-write permits (" +
                           std::to_string(std::get<uint64_t>(n)) + ")");
    }
    wp2::StreamStatus w = bytes.empty() ? wp2::StreamStatus{} : s.write(bytes);
    if (auto* e = std::get_if<StreamError>(&w)) r.push_back(streamErr(*io, *e));
    else r.push_back(Value::ok());
    return okStatus();
  };
  def(linker, streams, "[method]output-stream.write",
      [outOf, writeOnce](HostCall& c, std::span<const Value> a, std::vector<Value>& r) -> Status {
        COMPONO_ASSIGN(auto s, outOf(c, a[0]));
        return writeOnce(c, *s, bytesOf(a[1]), r);
      });
  def(linker, streams, "[method]output-stream.write-zeroes",
      [outOf, writeOnce](HostCall& c, std::span<const Value> a, std::vector<Value>& r) -> Status {
        COMPONO_ASSIGN(auto s, outOf(c, a[0]));
        if (a[1].u > kMaxBytes) return refuse(c, "more than 64 MiB of zeroes at once");
        return writeOnce(c, *s, std::vector<uint8_t>(a[1].u, 0), r);
      });
  def(linker, streams, "[method]output-stream.blocking-write-and-flush",
      [io, outOf](HostCall& c, std::span<const Value> a, std::vector<Value>& r) -> Status {
        COMPONO_ASSIGN(auto s, outOf(c, a[0]));
        if (a[1].items.size() > kBlockingWriteLimit) {
          return refuse(c, "writes " + std::to_string(a[1].items.size()) +
                               " bytes; the limit is 4096 (WIT: blocking-write-and-flush)");
        }
        COMPONO_ASSIGN(Value v, writeAllAndFlush(c, *io, *s, bytesOf(a[1])));
        r.push_back(std::move(v));
        return okStatus();
      });
  def(linker, streams, "[method]output-stream.blocking-write-zeroes-and-flush",
      [io, outOf](HostCall& c, std::span<const Value> a, std::vector<Value>& r) -> Status {
        COMPONO_ASSIGN(auto s, outOf(c, a[0]));
        if (a[1].u > kBlockingWriteLimit) {
          return refuse(c, "writes " + std::to_string(a[1].u) +
                               " zeroes; the limit is 4096 (WIT: blocking-write-zeroes-and-flush)");
        }
        COMPONO_ASSIGN(Value v,
                       writeAllAndFlush(c, *io, *s, std::vector<uint8_t>(a[1].u, 0)));
        r.push_back(std::move(v));
        return okStatus();
      });
  def(linker, streams, "[method]output-stream.flush",
      [io, outOf](HostCall& c, std::span<const Value> a, std::vector<Value>& r) -> Status {
        COMPONO_ASSIGN(auto s, outOf(c, a[0]));
        wp2::StreamStatus f = s->flush();
        if (auto* e = std::get_if<StreamError>(&f)) r.push_back(streamErr(*io, *e));
        else r.push_back(Value::ok());
        return okStatus();
      });
  def(linker, streams, "[method]output-stream.blocking-flush",
      [io, outOf](HostCall& c, std::span<const Value> a, std::vector<Value>& r) -> Status {
        COMPONO_ASSIGN(auto s, outOf(c, a[0]));
        COMPONO_ASSIGN(Value v, writeAllAndFlush(c, *io, *s, {}));
        r.push_back(std::move(v));
        return okStatus();
      });
  def(linker, streams, "[method]output-stream.subscribe",
      [io, outOf](HostCall& c, std::span<const Value> a, std::vector<Value>& r) -> Status {
        COMPONO_ASSIGN(auto s, outOf(c, a[0]));
        r.push_back(io->own(s->subscribe()));
        return okStatus();
      });
  def(linker, streams, "[method]output-stream.splice",
      [io, inOf, outOf](HostCall& c, std::span<const Value> a, std::vector<Value>& r) -> Status {
        COMPONO_ASSIGN(auto out, outOf(c, a[0]));
        COMPONO_ASSIGN(auto in, inOf(c, a[1]));
        r.push_back(spliceOnce(*io, *in, *out, a[2].u));
        return okStatus();
      });
  def(linker, streams, "[method]output-stream.blocking-splice",
      [io, inOf, outOf](HostCall& c, std::span<const Value> a, std::vector<Value>& r) -> Status {
        COMPONO_ASSIGN(auto out, outOf(c, a[0]));
        COMPONO_ASSIGN(auto in, inOf(c, a[1]));
        uint64_t len = a[2].u;
        if (len > 0) {
          // Wait for input (or its end) and for room, then move what is there.
          std::shared_ptr<wp2::Pollable> p = in->subscribe();
          COMPONO_TRY(wp2::blockOn(c.store(), *p));
          COMPONO_ASSIGN(auto n, waitWritable(c, *out));
          if (auto* e = std::get_if<StreamError>(&n)) {
            r.push_back(streamErr(*io, *e));
            return okStatus();
          }
        }
        r.push_back(spliceOnce(*io, *in, *out, len));
        return okStatus();
      });
}

}  // namespace compono::wasi::p2
