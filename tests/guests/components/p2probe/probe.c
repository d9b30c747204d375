// The WASI 0.2 probe (tests/component/wasi_p2_test.cpp): each export makes
// wasi:filesystem or wasi:sockets calls with its arguments, relative to the
// first preopened directory, and answers with plain values. Errors come back
// as the WIT name of the error-code, so tests can tell an escape refused by
// the host ("not-permitted") from any other failure.
#include <stdlib.h>
#include <string.h>

#include "p2probe.h"

typedef wasi_filesystem_types_borrow_descriptor_t borrow_t;
typedef wasi_filesystem_types_own_descriptor_t own_t;

static const char *const kFsErrors[] = {
    "access", "would-block", "already", "bad-descriptor", "busy", "deadlock", "quota", "exist",
    "file-too-large", "illegal-byte-sequence", "in-progress", "interrupted", "invalid", "io",
    "is-directory", "loop", "too-many-links", "message-size", "name-too-long", "no-device",
    "no-entry", "no-lock", "insufficient-memory", "insufficient-space", "not-directory",
    "not-empty", "not-recoverable", "unsupported", "no-tty", "no-such-device", "overflow",
    "not-permitted", "pipe", "read-only", "invalid-seek", "text-file-busy", "cross-device"};

static const char *const kSockErrors[] = {
    "unknown", "access-denied", "not-supported", "invalid-argument", "out-of-memory", "timeout",
    "concurrency-conflict", "not-in-progress", "would-block", "invalid-state",
    "new-socket-limit", "address-not-bindable", "address-in-use", "remote-unreachable",
    "connection-refused", "connection-reset", "connection-aborted", "datagram-too-large",
    "name-unresolvable", "temporary-resolver-failure", "permanent-resolver-failure"};

static bool fsFail(wasi_filesystem_types_error_code_t e, p2probe_string_t *err) {
  p2probe_string_dup(err, e < sizeof kFsErrors / sizeof *kFsErrors ? kFsErrors[e] : "?");
  return false;
}

static bool textFail(const char *what, p2probe_string_t *err) {
  p2probe_string_dup(err, what);
  return false;
}

// The first preopen, fetched once (the probe is run with one --dir).
static bool haveRoot = false;
static own_t root;

static bool rootDir(borrow_t *out, p2probe_string_t *err) {
  if (!haveRoot) {
    p2probe_list_tuple2_wasi_filesystem_types_own_descriptor_string_t dirs;
    wasi_filesystem_preopens_get_directories(&dirs);
    if (dirs.len == 0) {
      p2probe_list_tuple2_wasi_filesystem_types_own_descriptor_string_free(&dirs);
      return textFail("no preopen", err);
    }
    root = dirs.ptr[0].f0;
    for (size_t i = 1; i < dirs.len; ++i) wasi_filesystem_types_descriptor_drop_own(dirs.ptr[i].f0);
    for (size_t i = 0; i < dirs.len; ++i) p2probe_string_free(&dirs.ptr[i].f1);
    free(dirs.ptr);
    haveRoot = true;
  }
  *out = wasi_filesystem_types_borrow_descriptor(root);
  return true;
}

#define ROOT_OR_FAIL() \
  borrow_t dir;        \
  if (!rootDir(&dir, err)) return false

static bool openAt(borrow_t dir, p2probe_string_t *path, bool follow, uint8_t oflags,
                   uint8_t dflags, own_t *out, p2probe_string_t *err) {
  wasi_filesystem_types_error_code_t e;
  uint8_t pflags = follow ? WASI_FILESYSTEM_TYPES_PATH_FLAGS_SYMLINK_FOLLOW : 0;
  if (!wasi_filesystem_types_method_descriptor_open_at(dir, pflags, path, oflags, dflags, out, &e)) {
    return fsFail(e, err);
  }
  return true;
}

static bool streamFail(wasi_io_streams_stream_error_t *se, p2probe_string_t *err) {
  if (se->tag == WASI_IO_STREAMS_STREAM_ERROR_CLOSED) return textFail("closed", err);
  wasi_io_error_method_error_to_debug_string(
      wasi_io_error_borrow_error(se->val.last_operation_failed), err);
  wasi_io_error_error_drop_own(se->val.last_operation_failed);
  return false;
}

void exports_p2probe_preopens(p2probe_list_string_t *ret) {
  p2probe_list_tuple2_wasi_filesystem_types_own_descriptor_string_t dirs;
  wasi_filesystem_preopens_get_directories(&dirs);
  ret->len = dirs.len;
  ret->ptr = (p2probe_string_t *)malloc((dirs.len ? dirs.len : 1) * sizeof(p2probe_string_t));
  if (!ret->ptr) abort();
  for (size_t i = 0; i < dirs.len; ++i) {
    ret->ptr[i] = dirs.ptr[i].f1;  // moved
    wasi_filesystem_types_descriptor_drop_own(dirs.ptr[i].f0);
  }
  free(dirs.ptr);
}

bool exports_p2probe_read_file(p2probe_string_t *path, bool follow, p2probe_string_t *ret,
                               p2probe_string_t *err) {
  ROOT_OR_FAIL();
  own_t f;
  bool ok = openAt(dir, path, follow, 0, WASI_FILESYSTEM_TYPES_DESCRIPTOR_FLAGS_READ, &f, err);
  p2probe_string_free(path);
  if (!ok) return false;
  wasi_io_streams_own_input_stream_t in;
  wasi_filesystem_types_error_code_t e;
  if (!wasi_filesystem_types_method_descriptor_read_via_stream(
          wasi_filesystem_types_borrow_descriptor(f), 0, &in, &e)) {
    wasi_filesystem_types_descriptor_drop_own(f);
    return fsFail(e, err);
  }
  ret->ptr = (uint8_t *)malloc(1);
  ret->len = 0;
  for (;;) {
    p2probe_list_u8_t chunk;
    wasi_io_streams_stream_error_t se;
    if (!wasi_io_streams_method_input_stream_blocking_read(
            wasi_io_streams_borrow_input_stream(in), 4096, &chunk, &se)) {
      if (se.tag == WASI_IO_STREAMS_STREAM_ERROR_CLOSED) break;
      free(ret->ptr);
      wasi_io_streams_input_stream_drop_own(in);
      wasi_filesystem_types_descriptor_drop_own(f);
      return streamFail(&se, err);
    }
    ret->ptr = (uint8_t *)realloc(ret->ptr, ret->len + chunk.len + 1);
    if (!ret->ptr) abort();
    memcpy(ret->ptr + ret->len, chunk.ptr, chunk.len);
    ret->len += chunk.len;
    p2probe_list_u8_free(&chunk);
  }
  wasi_io_streams_input_stream_drop_own(in);
  wasi_filesystem_types_descriptor_drop_own(f);
  return true;
}

// Writes `contents` through an output stream in check-write sized pieces.
static bool writeStream(wasi_io_streams_own_output_stream_t out, p2probe_string_t *contents,
                        p2probe_string_t *err) {
  wasi_io_streams_borrow_output_stream_t o = wasi_io_streams_borrow_output_stream(out);
  size_t done = 0;
  while (done < contents->len) {
    size_t n = contents->len - done;
    if (n > 4096) n = 4096;
    p2probe_list_u8_t piece = {contents->ptr + done, n};
    wasi_io_streams_stream_error_t se;
    if (!wasi_io_streams_method_output_stream_blocking_write_and_flush(o, &piece, &se)) {
      return streamFail(&se, err);
    }
    done += n;
  }
  return true;
}

bool exports_p2probe_write_file(p2probe_string_t *path, p2probe_string_t *contents,
                                p2probe_string_t *err) {
  ROOT_OR_FAIL();
  own_t f;
  bool ok = openAt(dir, path, false,
                   WASI_FILESYSTEM_TYPES_OPEN_FLAGS_CREATE | WASI_FILESYSTEM_TYPES_OPEN_FLAGS_TRUNCATE,
                   WASI_FILESYSTEM_TYPES_DESCRIPTOR_FLAGS_WRITE, &f, err);
  p2probe_string_free(path);
  if (ok) {
    wasi_io_streams_own_output_stream_t out;
    wasi_filesystem_types_error_code_t e;
    if (!wasi_filesystem_types_method_descriptor_write_via_stream(
            wasi_filesystem_types_borrow_descriptor(f), 0, &out, &e)) {
      ok = fsFail(e, err);
    } else {
      ok = writeStream(out, contents, err);
      wasi_io_streams_output_stream_drop_own(out);
    }
    wasi_filesystem_types_descriptor_drop_own(f);
  }
  p2probe_string_free(contents);
  return ok;
}

bool exports_p2probe_append_file(p2probe_string_t *path, p2probe_string_t *contents,
                                 p2probe_string_t *err) {
  ROOT_OR_FAIL();
  own_t f;
  bool ok = openAt(dir, path, false, 0, WASI_FILESYSTEM_TYPES_DESCRIPTOR_FLAGS_WRITE, &f, err);
  p2probe_string_free(path);
  if (ok) {
    wasi_io_streams_own_output_stream_t out;
    wasi_filesystem_types_error_code_t e;
    if (!wasi_filesystem_types_method_descriptor_append_via_stream(
            wasi_filesystem_types_borrow_descriptor(f), &out, &e)) {
      ok = fsFail(e, err);
    } else {
      ok = writeStream(out, contents, err);
      wasi_io_streams_output_stream_drop_own(out);
    }
    wasi_filesystem_types_descriptor_drop_own(f);
  }
  p2probe_string_free(contents);
  return ok;
}

// Opens `path` for writing (created, truncated) and its output stream.
static bool openOut(borrow_t dir, p2probe_string_t *path, own_t *f,
                    wasi_io_streams_own_output_stream_t *out, p2probe_string_t *err) {
  if (!openAt(dir, path, false,
              WASI_FILESYSTEM_TYPES_OPEN_FLAGS_CREATE | WASI_FILESYSTEM_TYPES_OPEN_FLAGS_TRUNCATE,
              WASI_FILESYSTEM_TYPES_DESCRIPTOR_FLAGS_WRITE, f, err)) {
    return false;
  }
  wasi_filesystem_types_error_code_t e;
  if (!wasi_filesystem_types_method_descriptor_write_via_stream(
          wasi_filesystem_types_borrow_descriptor(*f), 0, out, &e)) {
    wasi_filesystem_types_descriptor_drop_own(*f);
    return fsFail(e, err);
  }
  return true;
}

bool exports_p2probe_copy_file(p2probe_string_t *src, p2probe_string_t *dst, uint64_t *ret,
                               p2probe_string_t *err) {
  ROOT_OR_FAIL();
  own_t fin, fout;
  wasi_io_streams_own_output_stream_t out;
  bool ok = openAt(dir, src, true, 0, WASI_FILESYSTEM_TYPES_DESCRIPTOR_FLAGS_READ, &fin, err);
  if (ok) {
    ok = openOut(dir, dst, &fout, &out, err);
    if (!ok) wasi_filesystem_types_descriptor_drop_own(fin);
  }
  p2probe_string_free(src);
  p2probe_string_free(dst);
  if (!ok) return false;
  wasi_io_streams_own_input_stream_t in;
  wasi_filesystem_types_error_code_t e;
  if (!wasi_filesystem_types_method_descriptor_read_via_stream(
          wasi_filesystem_types_borrow_descriptor(fin), 0, &in, &e)) {
    ok = fsFail(e, err);
  } else {
    *ret = 0;
    for (;;) {
      uint64_t n;
      wasi_io_streams_stream_error_t se;
      if (!wasi_io_streams_method_output_stream_blocking_splice(
              wasi_io_streams_borrow_output_stream(out), wasi_io_streams_borrow_input_stream(in),
              4096, &n, &se)) {
        if (se.tag != WASI_IO_STREAMS_STREAM_ERROR_CLOSED) ok = streamFail(&se, err);
        break;
      }
      *ret += n;
    }
    wasi_io_streams_input_stream_drop_own(in);
  }
  wasi_io_streams_output_stream_drop_own(out);
  wasi_filesystem_types_descriptor_drop_own(fout);
  wasi_filesystem_types_descriptor_drop_own(fin);
  return ok;
}

bool exports_p2probe_zero_file(p2probe_string_t *path, uint64_t n, p2probe_string_t *err) {
  ROOT_OR_FAIL();
  own_t f;
  wasi_io_streams_own_output_stream_t out;
  bool ok = openOut(dir, path, &f, &out, err);
  p2probe_string_free(path);
  if (!ok) return false;
  wasi_io_streams_borrow_output_stream_t o = wasi_io_streams_borrow_output_stream(out);
  wasi_io_poll_own_pollable_t p = wasi_io_streams_method_output_stream_subscribe(o);
  wasi_io_poll_borrow_pollable_t one = wasi_io_poll_borrow_pollable(p);
  p2probe_list_wasi_io_poll_borrow_pollable_t list = {&one, 1};
  p2probe_list_u32_t ready;
  wasi_io_poll_poll(&list, &ready);
  if (ready.len != 1 || ready.ptr[0] != 0) ok = textFail("poll did not report the stream", err);
  p2probe_list_u32_free(&ready);
  wasi_io_poll_pollable_drop_own(p);
  uint64_t allowed = 0;
  wasi_io_streams_stream_error_t se;
  if (ok && !wasi_io_streams_method_output_stream_check_write(o, &allowed, &se)) {
    ok = streamFail(&se, err);
  }
  if (ok && allowed < n) ok = textFail("check-write permits less than asked", err);
  if (ok && !wasi_io_streams_method_output_stream_write_zeroes(o, n, &se)) ok = streamFail(&se, err);
  if (ok && !wasi_io_streams_method_output_stream_blocking_flush(o, &se)) ok = streamFail(&se, err);
  wasi_io_streams_output_stream_drop_own(out);
  wasi_filesystem_types_descriptor_drop_own(f);
  return ok;
}

bool exports_p2probe_pread(p2probe_string_t *path, uint64_t len, uint64_t offset,
                           p2probe_tuple2_string_bool_t *ret, p2probe_string_t *err) {
  ROOT_OR_FAIL();
  own_t f;
  bool ok = openAt(dir, path, false, 0, WASI_FILESYSTEM_TYPES_DESCRIPTOR_FLAGS_READ, &f, err);
  p2probe_string_free(path);
  if (!ok) return false;
  p2probe_tuple2_list_u8_bool_t got;
  wasi_filesystem_types_error_code_t e;
  ok = wasi_filesystem_types_method_descriptor_read(wasi_filesystem_types_borrow_descriptor(f),
                                                    len, offset, &got, &e);
  wasi_filesystem_types_descriptor_drop_own(f);
  if (!ok) return fsFail(e, err);
  ret->f0.ptr = got.f0.ptr;  // moved
  ret->f0.len = got.f0.len;
  ret->f1 = got.f1;
  return true;
}

bool exports_p2probe_pwrite(p2probe_string_t *path, p2probe_string_t *contents, uint64_t offset,
                            uint64_t *ret, p2probe_string_t *err) {
  ROOT_OR_FAIL();
  own_t f;
  bool ok = openAt(dir, path, false, WASI_FILESYSTEM_TYPES_OPEN_FLAGS_CREATE,
                   WASI_FILESYSTEM_TYPES_DESCRIPTOR_FLAGS_WRITE, &f, err);
  p2probe_string_free(path);
  if (ok) {
    p2probe_list_u8_t buf = {contents->ptr, contents->len};
    wasi_filesystem_types_error_code_t e;
    if (!wasi_filesystem_types_method_descriptor_write(wasi_filesystem_types_borrow_descriptor(f),
                                                       &buf, offset, ret, &e)) {
      ok = fsFail(e, err);
    }
    wasi_filesystem_types_descriptor_drop_own(f);
  }
  p2probe_string_free(contents);
  return ok;
}

bool exports_p2probe_stat_size(p2probe_string_t *path, bool follow, uint64_t *ret,
                               p2probe_string_t *err) {
  ROOT_OR_FAIL();
  wasi_filesystem_types_descriptor_stat_t st;
  wasi_filesystem_types_error_code_t e;
  bool ok = wasi_filesystem_types_method_descriptor_stat_at(
      dir, follow ? WASI_FILESYSTEM_TYPES_PATH_FLAGS_SYMLINK_FOLLOW : 0, path, &st, &e);
  p2probe_string_free(path);
  if (!ok) return fsFail(e, err);
  *ret = st.size;
  return true;
}

bool exports_p2probe_stat_type(p2probe_string_t *path, p2probe_string_t *ret,
                               p2probe_string_t *err) {
  static const char *const kTypes[] = {"unknown", "block-device", "character-device",
                                       "directory", "fifo", "symbolic-link", "regular-file",
                                       "socket"};
  ROOT_OR_FAIL();
  wasi_filesystem_types_descriptor_stat_t st;
  wasi_filesystem_types_error_code_t e;
  bool ok = wasi_filesystem_types_method_descriptor_stat_at(dir, 0, path, &st, &e);
  p2probe_string_free(path);
  if (!ok) return fsFail(e, err);
  p2probe_string_dup(ret, st.type < 8 ? kTypes[st.type] : "?");
  return true;
}

#define PATH_OP(name, call)                                                         \
  bool exports_p2probe_##name(p2probe_string_t *path, p2probe_string_t *err) {     \
    ROOT_OR_FAIL();                                                                 \
    wasi_filesystem_types_error_code_t e;                                           \
    bool ok = call(dir, path, &e);                                                  \
    p2probe_string_free(path);                                                      \
    return ok ? true : fsFail(e, err);                                              \
  }
PATH_OP(mkdir, wasi_filesystem_types_method_descriptor_create_directory_at)
PATH_OP(rmdir, wasi_filesystem_types_method_descriptor_remove_directory_at)
PATH_OP(unlink, wasi_filesystem_types_method_descriptor_unlink_file_at)

bool exports_p2probe_mkdir_in(p2probe_string_t *path, p2probe_string_t *name,
                              p2probe_string_t *err) {
  ROOT_OR_FAIL();
  own_t d;
  bool ok = openAt(dir, path, true, WASI_FILESYSTEM_TYPES_OPEN_FLAGS_DIRECTORY,
                   WASI_FILESYSTEM_TYPES_DESCRIPTOR_FLAGS_READ, &d, err);
  p2probe_string_free(path);
  if (ok) {
    wasi_filesystem_types_error_code_t e;
    if (!wasi_filesystem_types_method_descriptor_create_directory_at(
            wasi_filesystem_types_borrow_descriptor(d), name, &e)) {
      ok = fsFail(e, err);
    }
    wasi_filesystem_types_descriptor_drop_own(d);
  }
  p2probe_string_free(name);
  return ok;
}

bool exports_p2probe_rename(p2probe_string_t *src, p2probe_string_t *dst, p2probe_string_t *err) {
  ROOT_OR_FAIL();
  wasi_filesystem_types_error_code_t e;
  bool ok = wasi_filesystem_types_method_descriptor_rename_at(dir, src, dir, dst, &e);
  p2probe_string_free(src);
  p2probe_string_free(dst);
  return ok ? true : fsFail(e, err);
}

bool exports_p2probe_symlink(p2probe_string_t *target, p2probe_string_t *path,
                             p2probe_string_t *err) {
  ROOT_OR_FAIL();
  wasi_filesystem_types_error_code_t e;
  bool ok = wasi_filesystem_types_method_descriptor_symlink_at(dir, target, path, &e);
  p2probe_string_free(target);
  p2probe_string_free(path);
  return ok ? true : fsFail(e, err);
}

bool exports_p2probe_readlink(p2probe_string_t *path, p2probe_string_t *ret,
                              p2probe_string_t *err) {
  ROOT_OR_FAIL();
  wasi_filesystem_types_error_code_t e;
  bool ok = wasi_filesystem_types_method_descriptor_readlink_at(dir, path, ret, &e);
  p2probe_string_free(path);
  return ok ? true : fsFail(e, err);
}

static int byName(const void *a, const void *b) {
  const p2probe_string_t *x = (const p2probe_string_t *)a, *y = (const p2probe_string_t *)b;
  size_t n = x->len < y->len ? x->len : y->len;
  int c = memcmp(x->ptr, y->ptr, n);
  return c ? c : (x->len < y->len ? -1 : x->len > y->len);
}

bool exports_p2probe_list_dir(p2probe_string_t *path, p2probe_list_string_t *ret,
                              p2probe_string_t *err) {
  ROOT_OR_FAIL();
  own_t d;
  bool ok = openAt(dir, path, true, WASI_FILESYSTEM_TYPES_OPEN_FLAGS_DIRECTORY,
                   WASI_FILESYSTEM_TYPES_DESCRIPTOR_FLAGS_READ, &d, err);
  p2probe_string_free(path);
  if (!ok) return false;
  wasi_filesystem_types_own_directory_entry_stream_t s;
  wasi_filesystem_types_error_code_t e;
  if (!wasi_filesystem_types_method_descriptor_read_directory(
          wasi_filesystem_types_borrow_descriptor(d), &s, &e)) {
    wasi_filesystem_types_descriptor_drop_own(d);
    return fsFail(e, err);
  }
  ret->ptr = (p2probe_string_t *)malloc(sizeof(p2probe_string_t));
  ret->len = 0;
  for (;;) {
    p2probe_option_wasi_filesystem_types_directory_entry_t entry;
    if (!wasi_filesystem_types_method_directory_entry_stream_read_directory_entry(
            wasi_filesystem_types_borrow_directory_entry_stream(s), &entry, &e)) {
      ok = fsFail(e, err);
      break;
    }
    if (!entry.is_some) break;
    ret->ptr = (p2probe_string_t *)realloc(ret->ptr, (ret->len + 1) * sizeof(p2probe_string_t));
    if (!ret->ptr) abort();
    ret->ptr[ret->len++] = entry.val.name;  // moved
  }
  wasi_filesystem_types_directory_entry_stream_drop_own(s);
  wasi_filesystem_types_descriptor_drop_own(d);
  if (!ok) {
    p2probe_list_string_free(ret);
    return false;
  }
  qsort(ret->ptr, ret->len, sizeof(p2probe_string_t), byName);
  return true;
}

bool exports_p2probe_same_object(p2probe_string_t *a, p2probe_string_t *b, bool *ret,
                                 p2probe_string_t *err) {
  ROOT_OR_FAIL();
  wasi_filesystem_types_metadata_hash_value_t ha, hb;
  wasi_filesystem_types_error_code_t e;
  bool ok = wasi_filesystem_types_method_descriptor_metadata_hash_at(
                dir, WASI_FILESYSTEM_TYPES_PATH_FLAGS_SYMLINK_FOLLOW, a, &ha, &e) &&
            wasi_filesystem_types_method_descriptor_metadata_hash_at(
                dir, WASI_FILESYSTEM_TYPES_PATH_FLAGS_SYMLINK_FOLLOW, b, &hb, &e);
  if (!ok) {
    p2probe_string_free(a);
    p2probe_string_free(b);
    return fsFail(e, err);
  }
  own_t fa, fb;
  ok = openAt(dir, a, true, 0, WASI_FILESYSTEM_TYPES_DESCRIPTOR_FLAGS_READ, &fa, err);
  if (ok) {
    ok = openAt(dir, b, true, 0, WASI_FILESYSTEM_TYPES_DESCRIPTOR_FLAGS_READ, &fb, err);
    if (ok) {
      bool same = wasi_filesystem_types_method_descriptor_is_same_object(
          wasi_filesystem_types_borrow_descriptor(fa), wasi_filesystem_types_borrow_descriptor(fb));
      bool hashSame = ha.lower == hb.lower && ha.upper == hb.upper;
      if (same != hashSame) ok = textFail("metadata-hash and is-same-object disagree", err);
      *ret = same;
      wasi_filesystem_types_descriptor_drop_own(fb);
    }
    wasi_filesystem_types_descriptor_drop_own(fa);
  }
  p2probe_string_free(a);
  p2probe_string_free(b);
  return ok;
}

static bool sockFail(wasi_sockets_network_error_code_t e, p2probe_string_t *err) {
  p2probe_string_dup(err, e < sizeof kSockErrors / sizeof *kSockErrors ? kSockErrors[e] : "?");
  return false;
}

bool exports_p2probe_tcp_socket(p2probe_string_t *err) {
  wasi_sockets_tcp_own_tcp_socket_t s;
  wasi_sockets_network_error_code_t e;
  if (!wasi_sockets_tcp_create_socket_create_tcp_socket(WASI_SOCKETS_NETWORK_IP_ADDRESS_FAMILY_IPV4,
                                                        &s, &e)) {
    return sockFail(e, err);
  }
  wasi_sockets_tcp_tcp_socket_drop_own(s);
  return true;
}

bool exports_p2probe_resolve(p2probe_string_t *name, p2probe_string_t *err) {
  wasi_sockets_network_own_network_t net = wasi_sockets_instance_network_instance_network();
  wasi_sockets_ip_name_lookup_own_resolve_address_stream_t s;
  wasi_sockets_network_error_code_t e;
  bool ok = wasi_sockets_ip_name_lookup_resolve_addresses(wasi_sockets_network_borrow_network(net),
                                                          name, &s, &e);
  p2probe_string_free(name);
  wasi_sockets_network_network_drop_own(net);
  if (!ok) return sockFail(e, err);
  wasi_sockets_ip_name_lookup_resolve_address_stream_drop_own(s);
  return true;
}

uint64_t exports_p2probe_sleep(uint64_t ns) {
  uint64_t start = wasi_clocks_monotonic_clock_now();
  wasi_io_poll_own_pollable_t p = wasi_clocks_monotonic_clock_subscribe_duration(ns);
  wasi_io_poll_method_pollable_block(wasi_io_poll_borrow_pollable(p));
  wasi_io_poll_pollable_drop_own(p);
  return wasi_clocks_monotonic_clock_now() - start;
}
