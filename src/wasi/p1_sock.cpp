// TCP listeners granted through WasiConfig::listeners, and the preview 1
// socket functions on them and on the connections they accept. Preview 1 has
// no way to create, bind or connect a socket: the guest only ever reaches the
// listeners it was given.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "wasi/host_io.h"
#include "wasi/p1_ctx.h"

namespace compono::wasi {

using p1::FdEntry;
using p1::FdKind;
using p1::FileType;
namespace rights = p1::rights;

namespace {

Errno fromHost(int e) { return p1::errnoFromHost(e); }

std::string formatAddress(const struct sockaddr_storage& ss) {
  char host[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    auto* a = reinterpret_cast<const struct sockaddr_in*>(&ss);
    ::inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
    return std::string(host) + ":" + std::to_string(ntohs(a->sin_port));
  }
  auto* a = reinterpret_cast<const struct sockaddr_in6*>(&ss);
  ::inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
  return "[" + std::string(host) + "]:" + std::to_string(ntohs(a->sin6_port));
}

// A connected-socket entry holding `required`: EBADF when absent, ENOTSOCK
// for files, ENOTCONN for a listener (as POSIX says for recv/send/shutdown
// on an unconnected socket), ENOTCAPABLE when a right is missing.
OsResult<FdEntry*> socketEntry(p1::FdTable& fds, uint32_t fd, uint64_t required) {
  FdEntry* e = fds.find(fd);
  if (!e) return OsError{EBADF};
  if (e->kind == FdKind::kListener) return OsError{ENOTCONN};
  if (e->kind != FdKind::kSocket) return OsError{ENOTSOCK};
  return fds.get(fd, required);
}

}  // namespace

Status WasiCtx::Impl::addListener(const TcpListener& l) {
  auto fail = [&](ErrorCode code, const std::string& why) {
    return Error(code, "wasi: listener \"" + l.address + "\": " + why);
  };
  // "host:port" or "[v6host]:port".
  std::string host, port;
  const std::string& a = l.address;
  if (!a.empty() && a.front() == '[') {
    size_t close = a.find(']');
    if (close == std::string::npos || close + 1 >= a.size() || a[close + 1] != ':') {
      return fail(ErrorCode::kUsage, "expected [address]:port");
    }
    host = a.substr(1, close - 1);
    port = a.substr(close + 2);
  } else {
    size_t colon = a.rfind(':');
    if (colon == std::string::npos) return fail(ErrorCode::kUsage, "expected address:port");
    host = a.substr(0, colon);
    port = a.substr(colon + 1);
  }
  if (port.empty()) return fail(ErrorCode::kUsage, "missing port");

  struct addrinfo hints = {};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  struct addrinfo* res = nullptr;
  int gai = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &res);
  if (gai != 0) return fail(ErrorCode::kUsage, ::gai_strerror(gai));
  std::unique_ptr<struct addrinfo, void (*)(struct addrinfo*)> guard(res, ::freeaddrinfo);

  OwnedFd sock(::socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!sock.valid()) return fail(ErrorCode::kIo, std::string("socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(sock.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(sock.get(), res->ai_addr, res->ai_addrlen) != 0) {
    return fail(ErrorCode::kIo, std::string("bind: ") + std::strerror(errno));
  }
  if (::listen(sock.get(), SOMAXCONN) != 0) {
    return fail(ErrorCode::kIo, std::string("listen: ") + std::strerror(errno));
  }
  struct sockaddr_storage bound = {};
  socklen_t boundLen = sizeof bound;
  if (::getsockname(sock.get(), reinterpret_cast<struct sockaddr*>(&bound), &boundLen) != 0) {
    return fail(ErrorCode::kIo, std::string("getsockname: ") + std::strerror(errno));
  }

  auto e = std::make_unique<FdEntry>();
  e->kind = FdKind::kListener;
  e->filetype = FileType::kSocketStream;
  e->fd = std::move(sock);
  e->hostNonblocking = true;
  e->rightsBase = rights::kSocketListener;
  uint32_t guestFd = setupNext++;
  fds.insertAt(guestFd, std::move(e));
  listenerFds.push_back(guestFd);
  listenerAddresses.push_back(formatAddress(bound));
  return okStatus();
}

ErrnoResult WasiCtx::Impl::sockAccept(engine::Caller& c, uint32_t fd, uint32_t flags,
                                      uint32_t fdOut) {
  // EINVAL on a connection (not listening, as POSIX accept), ENOTSOCK on files.
  FdEntry* found = fds.find(fd);
  if (!found) return Errno::kBadf;
  if (found->kind == FdKind::kSocket) return Errno::kInval;
  if (found->kind != FdKind::kListener) return Errno::kNotSock;
  OsResult<FdEntry*> r = fds.get(fd, rights::kSockAccept);
  if (!r.ok()) return fromHost(r.error());
  FdEntry& listener = **r;
  if (flags & ~uint32_t{p1::kFdflagNonblock}) return Errno::kInval;
  engine::GuestMemory mem = c.memory();
  if (!mem.inBounds(fdOut, 4)) return Errno::kFault;

  int conn;
  for (;;) {
    conn = ::accept4(listener.hostFd(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (conn >= 0) break;
    if (errno == EINTR || errno == ECONNABORTED) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return fromHost(errno);
    if (listener.nonblocking()) return Errno::kAgain;
    COMPONO_ASSIGN(short revents, waitReady(c.store(), listener.hostFd(), POLLIN));
    (void)revents;
  }
  auto e = std::make_unique<FdEntry>();
  e->kind = FdKind::kSocket;
  e->filetype = FileType::kSocketStream;
  e->fd = OwnedFd(conn);
  e->hostNonblocking = true;
  e->fdflags = static_cast<uint16_t>(flags);
  e->rightsBase = rights::kSocketStream;
  OsResult<uint32_t> newFd = fds.insert(std::move(e));
  if (!newFd.ok()) return fromHost(newFd.error());
  mem.store<uint32_t>(fdOut, *newFd);
  return Errno::kSuccess;
}

ErrnoResult WasiCtx::Impl::sockRecv(engine::Caller& c, uint32_t fd, uint32_t riData,
                                    uint32_t riDataLen, uint32_t riFlags, uint32_t datalenOut,
                                    uint32_t roflagsOut) {
  OsResult<FdEntry*> r = socketEntry(fds, fd, rights::kFdRead);
  if (!r.ok()) return fromHost(r.error());
  if (riFlags & ~uint32_t{p1::kRecvPeek | p1::kRecvWaitall}) return Errno::kInval;
  engine::GuestMemory mem = c.memory();
  std::vector<struct iovec> iov;
  if (!p1::collectIovecs(mem, riData, riDataLen, iov) || !mem.inBounds(datalenOut, 4) ||
      !mem.inBounds(roflagsOut, 2)) {
    return Errno::kFault;
  }
  int hostFlags = (riFlags & p1::kRecvPeek) ? MSG_PEEK : 0;
  size_t total = 0;
  for (;;) {
    COMPONO_ASSIGN(OsResult<size_t> n, streamRead(c.store(), **r, iov, hostFlags));
    if (!n.ok()) {
      if (total > 0) break;  // report what arrived before the error
      return fromHost(n.error());
    }
    total += *n;
    // WAITALL: keep reading until the buffers are full or the peer is done.
    if (!(riFlags & p1::kRecvWaitall) || (riFlags & p1::kRecvPeek) || *n == 0) break;
    size_t skip = *n;
    while (!iov.empty() && skip >= iov.front().iov_len) {
      skip -= iov.front().iov_len;
      iov.erase(iov.begin());
    }
    if (iov.empty()) break;
    iov.front().iov_base = static_cast<uint8_t*>(iov.front().iov_base) + skip;
    iov.front().iov_len -= skip;
  }
  mem.store<uint32_t>(datalenOut, static_cast<uint32_t>(total));
  mem.store<uint16_t>(roflagsOut, 0);  // stream sockets never truncate a message
  return Errno::kSuccess;
}

ErrnoResult WasiCtx::Impl::sockSend(engine::Caller& c, uint32_t fd, uint32_t siData,
                                    uint32_t siDataLen, uint32_t siFlags, uint32_t datalenOut) {
  OsResult<FdEntry*> r = socketEntry(fds, fd, rights::kFdWrite);
  if (!r.ok()) return fromHost(r.error());
  if (siFlags != 0) return Errno::kInval;  // preview 1 defines no send flags
  engine::GuestMemory mem = c.memory();
  std::vector<struct iovec> iov;
  if (!p1::collectIovecs(mem, siData, siDataLen, iov) || !mem.inBounds(datalenOut, 4)) {
    return Errno::kFault;
  }
  COMPONO_ASSIGN(OsResult<size_t> n, streamWrite(c.store(), **r, iov));
  if (!n.ok()) return fromHost(n.error());
  mem.store<uint32_t>(datalenOut, static_cast<uint32_t>(*n));
  return Errno::kSuccess;
}

ErrnoResult WasiCtx::Impl::sockShutdown(engine::Caller&, uint32_t fd, uint32_t how) {
  OsResult<FdEntry*> r = socketEntry(fds, fd, rights::kSockShutdown);
  if (!r.ok()) return fromHost(r.error());
  int hostHow;
  switch (how) {
    case p1::kShutRd:
      hostHow = SHUT_RD;
      break;
    case p1::kShutWr:
      hostHow = SHUT_WR;
      break;
    case p1::kShutRd | p1::kShutWr:
      hostHow = SHUT_RDWR;
      break;
    default:
      return Errno::kInval;
  }
  if (::shutdown((*r)->hostFd(), hostHow) != 0) return fromHost(errno);
  return Errno::kSuccess;
}

}  // namespace compono::wasi
