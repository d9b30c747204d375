// Internal: host I/O helpers shared by every WASI version — waiting on a host
// fd without outliving the Store's --timeout deadline, and writing to pipes
// and sockets without ever raising SIGPIPE in the host process.
//
// Not part of the public API. Stateless functions; thread safe.
#pragma once

#include <poll.h>
#include <sys/uio.h>

#include "compono/engine/store.h"
#include "compono/result.h"

namespace compono::wasi {

// Blocks until `fd` is ready for `events` (POLLIN / POLLOUT) and returns the
// poll revents, or returns the Store's deadline error (a kDeadline trap) once
// its --timeout passes first. Without a deadline it waits indefinitely.
Result<short> waitReady(const engine::Store& store, int fd, short events);

// True if `fd` is ready for `events` right now (never blocks).
bool readyNow(int fd, short events);

// writev() that cannot raise SIGPIPE: sockets use sendmsg(MSG_NOSIGNAL);
// other fds run with SIGPIPE blocked in the calling thread and a SIGPIPE it
// caused is consumed. Returns like writev (-1 and errno = EPIPE on a closed pipe).
ssize_t writevNoSigpipe(int fd, const struct iovec* iov, int count, bool isSocket);

// The host's IOV_MAX: how many buffers one readv/writev takes.
int maxIovecs();

}  // namespace compono::wasi
