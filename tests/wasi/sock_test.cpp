// WASI preview 1 sockets: a pre-opened TCP listener, sock_accept (blocking
// and non-blocking), sock_recv (PEEK, WAITALL), sock_send, fd_read/fd_write
// on a connection, sock_shutdown, with a real TCP client on loopback.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "wasi/wasi_harness.h"

namespace compono::test {
namespace {

// Connects to "host:port" or "[v6]:port"; -1 on failure.
int connectTo(const std::string& address) {
  std::string host, port;
  if (address.front() == '[') {
    size_t close = address.find(']');
    host = address.substr(1, close - 1);
    port = address.substr(close + 2);
  } else {
    size_t colon = address.rfind(':');
    host = address.substr(0, colon);
    port = address.substr(colon + 1);
  }
  struct sockaddr_storage ss = {};
  socklen_t len;
  int family;
  if (host.find(':') != std::string::npos) {
    auto* a = reinterpret_cast<struct sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(static_cast<uint16_t>(std::stoi(port)));
    ::inet_pton(AF_INET6, host.c_str(), &a->sin6_addr);
    len = sizeof *a;
    family = AF_INET6;
  } else {
    auto* a = reinterpret_cast<struct sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(static_cast<uint16_t>(std::stoi(port)));
    ::inet_pton(AF_INET, host.c_str(), &a->sin_addr);
    len = sizeof *a;
    family = AF_INET;
  }
  int fd = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (::connect(fd, reinterpret_cast<struct sockaddr*>(&ss), len) != 0) {
    ::close(fd);
    return -1;
  }
  struct timeval tv = {20, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

std::string readUntil(int fd, const std::string& needle) {
  std::string got;
  char buf[256];
  while (got.find(needle) == std::string::npos) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  return got;
}

void sendAll(int fd, const std::string& s) {
  ASSERT_EQ(::send(fd, s.data(), s.size(), MSG_NOSIGNAL), static_cast<ssize_t>(s.size()));
}

TEST(WasiSock, ServesARealTcpClient) {
  wasi::WasiConfig config;
  config.args = {"sock", "3"};  // no preopens: the listener is fd 3
  config.listeners = {{"127.0.0.1:0"}};
  GuestRun run("wasi_sock", config);
  std::vector<std::string> addrs = run.listenerAddresses();
  ASSERT_EQ(addrs.size(), 1u);
  EXPECT_EQ(addrs[0].rfind("127.0.0.1:", 0), 0u) << addrs[0];
  EXPECT_NE(addrs[0], "127.0.0.1:0");
  ASSERT_TRUE(run.waitForOutput("ready\n"));

  int fd = connectTo(addrs[0]);
  ASSERT_GE(fd, 0) << addrs[0];
  sendAll(fd, "hell");
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  sendAll(fd, "o world");  // WAITALL must gather both pieces
  std::string reply = readUntil(fd, "via-fd-write\n");
  EXPECT_EQ(reply, "echo:hello world\nvia-fd-write\n");
  char c;
  EXPECT_EQ(::recv(fd, &c, 1, 0), 0);  // the guest shut down its write side
  sendAll(fd, "bye");
  ::close(fd);

  GuestResult r = run.wait();
  ASSERT_TRUE(r.ok) << describe(r);
  std::vector<std::string> want = {
      "listener_fdstat 0 type=6",
      "listener_prestat 8",  // not a preopen: libc's preopen scan stops here
      "set_nonblock 0",
      "accept_nonblock 6",  // EAGAIN: nobody has connected yet
      "set_blocking 0",
      "ready",
      "poll_listener 0 n=1 ud=1",
      "accept 0",
      "conn_fdstat 0 type=6 flags=0",
      "peek 0 hell",
      "recv_waitall 0 got=11 ro=0 hello world",
      "send 0 n=17",
      "fd_write 0 n=13",
      "shutdown_wr 0",
      "shutdown_bad 28",
      "tail 0 bye",
      "recv_on_file 57",       // ENOTSOCK
      "shutdown_listener 53",  // ENOTCONN: a listener is not connected
      "accept_on_conn 28",     // EINVAL: a connection is not listening
      "close 0",
  };
  std::vector<std::string> got = lines(r.out);
  ASSERT_GE(got.size(), want.size()) << r.out;
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(got[i], want[i]) << "line " << i;
}

TEST(WasiSock, ListenersComeAfterPreopens) {
  TempDir dir;
  wasi::WasiConfig config;
  config.args = {"probe", "prestat 3", "prestat 4", "fdstat 4", "fdstat 5", "scan 0 20"};
  config.preopens = {{dir.path(), "/d", false}};
  config.listeners = {{"127.0.0.1:0"}};
  GuestResult r = runGuest("wasi_probe", config);
  ASSERT_TRUE(r.ok) << describe(r);
  std::vector<std::string> got = lines(r.out);
  ASSERT_GE(got.size(), 5u);
  EXPECT_EQ(got[0], "prestat 0 0 name=/d");
  EXPECT_EQ(got[1], "prestat 8");
  EXPECT_EQ(got[2].rfind("fdstat 0 type=6 ", 0), 0u) << got[2];
  EXPECT_EQ(got[3], "fdstat 8");
  EXPECT_EQ(got[4], "scan 0 1 2 3 4");
}

TEST(WasiSock, BlockedAcceptEndsAtTheStoreDeadline) {
  wasi::WasiConfig config;
  config.args = {"sock", "3"};
  config.listeners = {{"127.0.0.1:0"}};
  engine::StoreLimits limits;
  limits.timeout = std::chrono::milliseconds(300);
  auto t0 = std::chrono::steady_clock::now();
  GuestRun run("wasi_sock", config, limits);
  GuestResult r = run.wait();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
  ASSERT_FALSE(r.ok) << describe(r);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->trap, TrapCode::kDeadline) << r.error->message;
}

TEST(WasiSock, Ipv6LoopbackListener) {
  auto ctx = wasi::WasiCtx::create({.listeners = {{"[::1]:0"}}});
  if (!ctx.ok()) GTEST_SKIP() << "no IPv6 loopback here: " << ctx.error().message;
  std::string addr = (*ctx)->listenerAddress(0);
  EXPECT_EQ(addr.rfind("[::1]:", 0), 0u) << addr;
  int fd = connectTo(addr);
  EXPECT_GE(fd, 0);
  if (fd >= 0) ::close(fd);
}

TEST(WasiSock, ListenerAddressInUseIsAnError) {
  auto first = wasi::WasiCtx::create({.listeners = {{"127.0.0.1:0"}}});
  ASSERT_TRUE(first.ok());
  std::string addr = (*first)->listenerAddress(0);
  auto second = wasi::WasiCtx::create({.listeners = {{addr}}});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kIo);
  EXPECT_NE(second.error().message.find(addr), std::string::npos) << second.error().message;
}

}  // namespace
}  // namespace compono::test
