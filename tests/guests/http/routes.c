// The wasi:http/proxy component of tests/providers: one route per behaviour
// the server tests check.
//   /            200 "hello from routes\n"
//   /echo        200, the request body back; x-method and x-path headers
//   /headers     200, body "immutable" when appending to the request's
//                headers fails with header-error.immutable; x-seen = x-test
//   /big?N       200, N bytes of 'x' written in 4 KiB pieces
//   /trap        traps (unreachable)
//   /spin        loops forever (stopped by --fuel or --timeout)
//   /silent      returns without setting a response
//   /sleep?MS    waits MS milliseconds (wasi:clocks), then 200 "slept\n"
//   /status/N    status N, empty body
//   /fetch/AUTH/PATH  sends GET http://AUTH/PATH and answers "status N: BODY",
//                or "error-code T" with the error-code's case number
#include <stdlib.h>
#include <string.h>

#include "proxy.h"

typedef wasi_http_types_own_fields_t fields_t;

// Appends the decimal digits of `v` to `p` (no stdio: it would import WASI preview 1).
static char *put_int(char *p, int v) {
  char tmp[12];
  int n = 0;
  if (v < 0) *p++ = '-', v = -v;
  do tmp[n++] = (char)('0' + v % 10), v /= 10; while (v);
  while (n) *p++ = tmp[--n];
  *p = 0;
  return p;
}

static char *put_str(char *p, const char *s, size_t len) {
  memcpy(p, s, len);
  p[len] = 0;
  return p + len;
}

static proxy_string_t str(const char *s) { return (proxy_string_t){(uint8_t *)s, strlen(s)}; }

static void add_header(fields_t f, const char *name, const uint8_t *value, size_t len) {
  wasi_http_types_header_error_t err;
  proxy_string_t n = str(name);
  proxy_list_u8_t v = {(uint8_t *)value, len};
  wasi_http_types_method_fields_append(wasi_http_types_borrow_fields(f), &n, &v, &err);
}

// Sends status, extra headers (already in `headers`) and body.
static void respond(wasi_http_types_own_response_outparam_t out, uint16_t status, fields_t headers,
                    const uint8_t *body, size_t len) {
  wasi_http_types_own_outgoing_response_t resp =
      wasi_http_types_constructor_outgoing_response(headers);
  wasi_http_types_method_outgoing_response_set_status_code(
      wasi_http_types_borrow_outgoing_response(resp), status);
  wasi_http_types_own_outgoing_body_t ob;
  wasi_http_types_method_outgoing_response_body(wasi_http_types_borrow_outgoing_response(resp), &ob);
  proxy_result_wasi_http_types_own_outgoing_response_wasi_http_types_error_code_t r = {
      .is_err = false, .val = {.ok = resp}};
  wasi_http_types_static_response_outparam_set(out, &r);
  wasi_io_streams_own_output_stream_t os;
  wasi_http_types_method_outgoing_body_write(wasi_http_types_borrow_outgoing_body(ob), &os);
  size_t off = 0;
  while (off < len) {
    size_t n = len - off > 4096 ? 4096 : len - off;
    proxy_list_u8_t chunk = {(uint8_t *)body + off, n};
    wasi_io_streams_stream_error_t err;
    if (!wasi_io_streams_method_output_stream_blocking_write_and_flush(
            wasi_io_streams_borrow_output_stream(os), &chunk, &err)) {
      break;
    }
    off += n;
  }
  wasi_io_streams_output_stream_drop_own(os);
  proxy_option_wasi_http_types_own_fields_t none = {.is_some = false};
  wasi_http_types_error_code_t ferr;
  wasi_http_types_static_outgoing_body_finish(ob, &none, &ferr);
}

static void respond_text(wasi_http_types_own_response_outparam_t out, uint16_t status,
                         const char *text) {
  fields_t h = wasi_http_types_constructor_fields();
  add_header(h, "content-type", (const uint8_t *)"text/plain", 10);
  respond(out, status, h, (const uint8_t *)text, strlen(text));
}

// Reads a whole incoming body.
static size_t read_body(wasi_http_types_own_incoming_body_t body, uint8_t **data) {
  size_t len = 0, cap = 0;
  *data = NULL;
  wasi_io_streams_own_input_stream_t in;
  if (wasi_http_types_method_incoming_body_stream(wasi_http_types_borrow_incoming_body(body), &in)) {
    for (;;) {
      proxy_list_u8_t chunk;
      wasi_io_streams_stream_error_t err;
      if (!wasi_io_streams_method_input_stream_blocking_read(
              wasi_io_streams_borrow_input_stream(in), 65536, &chunk, &err)) {
        break;
      }
      if (len + chunk.len > cap) {
        cap = (len + chunk.len) * 2;
        *data = realloc(*data, cap);
      }
      memcpy(*data + len, chunk.ptr, chunk.len);
      len += chunk.len;
      proxy_list_u8_free(&chunk);
    }
    wasi_io_streams_input_stream_drop_own(in);
  }
  wasi_http_types_future_trailers_drop_own(wasi_http_types_static_incoming_body_finish(body));
  return len;
}

static void fetch(const char *rest, wasi_http_types_own_response_outparam_t out) {
  // rest = "AUTH/PATH"
  const char *slash = strchr(rest, '/');
  size_t alen = slash ? (size_t)(slash - rest) : strlen(rest);
  char authority[256];
  if (alen >= sizeof authority) alen = sizeof authority - 1;
  memcpy(authority, rest, alen);
  authority[alen] = 0;
  const char *path = slash ? slash : "/";

  wasi_http_types_own_outgoing_request_t req =
      wasi_http_types_constructor_outgoing_request(wasi_http_types_constructor_fields());
  wasi_http_types_borrow_outgoing_request_t b = wasi_http_types_borrow_outgoing_request(req);
  proxy_option_string_t a = {.is_some = true, .val = str(authority)};
  wasi_http_types_method_outgoing_request_set_authority(b, &a);
  proxy_option_string_t p = {.is_some = true, .val = str(path)};
  wasi_http_types_method_outgoing_request_set_path_with_query(b, &p);
  proxy_option_wasi_http_types_scheme_t s = {.is_some = true,
                                             .val = {.tag = WASI_HTTP_TYPES_SCHEME_HTTP}};
  wasi_http_types_method_outgoing_request_set_scheme(b, &s);

  proxy_option_wasi_http_types_own_request_options_t no_options = {.is_some = false};
  wasi_http_types_own_future_incoming_response_t future;
  wasi_http_types_error_code_t err;
  char text[512];
  if (!wasi_http_outgoing_handler_handle(req, &no_options, &future, &err)) {
    put_int(put_str(text, "error-code ", 11), err.tag);
    respond_text(out, 502, text);
    return;
  }
  wasi_http_types_borrow_future_incoming_response_t fb =
      wasi_http_types_borrow_future_incoming_response(future);
  wasi_io_poll_own_pollable_t ready = wasi_http_types_method_future_incoming_response_subscribe(fb);
  wasi_io_poll_method_pollable_block(wasi_io_poll_borrow_pollable(ready));
  wasi_io_poll_pollable_drop_own(ready);
  proxy_result_result_wasi_http_types_own_incoming_response_wasi_http_types_error_code_void_t got;
  if (!wasi_http_types_method_future_incoming_response_get(fb, &got) || got.is_err) {
    respond_text(out, 500, "future not ready");
    return;
  }
  wasi_http_types_future_incoming_response_drop_own(future);
  if (got.val.ok.is_err) {
    put_int(put_str(text, "error-code ", 11), got.val.ok.val.err.tag);
    respond_text(out, 502, text);
    return;
  }
  wasi_http_types_own_incoming_response_t resp = got.val.ok.val.ok;
  uint16_t status =
      wasi_http_types_method_incoming_response_status(wasi_http_types_borrow_incoming_response(resp));
  wasi_http_types_own_incoming_body_t body;
  uint8_t *data = NULL;
  size_t len = 0;
  if (wasi_http_types_method_incoming_response_consume(
          wasi_http_types_borrow_incoming_response(resp), &body)) {
    len = read_body(body, &data);
  }
  wasi_http_types_incoming_response_drop_own(resp);
  char *t = put_int(put_str(text, "status ", 7), status);
  t = put_str(t, ": ", 2);
  put_str(t, data ? (const char *)data : "", len > 400 ? 400 : len);
  free(data);
  respond_text(out, 200, text);
}

static volatile int sink;

void exports_wasi_http_incoming_handler_handle(wasi_http_types_own_incoming_request_t request,
                                               wasi_http_types_own_response_outparam_t out) {
  wasi_http_types_borrow_incoming_request_t rb = wasi_http_types_borrow_incoming_request(request);
  proxy_string_t pq = {0};
  wasi_http_types_method_incoming_request_path_with_query(rb, &pq);
  char path[1024];
  size_t plen = pq.len < sizeof path - 1 ? pq.len : sizeof path - 1;
  memcpy(path, pq.ptr, plen);
  path[plen] = 0;
  proxy_string_free(&pq);

  if (strcmp(path, "/trap") == 0) __builtin_trap();
  if (strcmp(path, "/spin") == 0) {
    for (;;) sink++;
  }
  if (strcmp(path, "/silent") == 0) {
    wasi_http_types_incoming_request_drop_own(request);
    wasi_http_types_response_outparam_drop_own(out);
    return;
  }
  if (strncmp(path, "/sleep?", 7) == 0) {
    wasi_http_types_incoming_request_drop_own(request);
    uint64_t ms = (uint64_t)atol(path + 7);
    wasi_io_poll_own_pollable_t t = wasi_clocks_monotonic_clock_subscribe_duration(ms * 1000000ull);
    wasi_io_poll_method_pollable_block(wasi_io_poll_borrow_pollable(t));
    wasi_io_poll_pollable_drop_own(t);
    respond_text(out, 200, "slept\n");
    return;
  }
  if (strncmp(path, "/status/", 8) == 0) {
    wasi_http_types_incoming_request_drop_own(request);
    respond(out, (uint16_t)atoi(path + 8), wasi_http_types_constructor_fields(), NULL, 0);
    return;
  }
  if (strncmp(path, "/big?", 5) == 0) {
    wasi_http_types_incoming_request_drop_own(request);
    size_t n = (size_t)atol(path + 5);
    uint8_t *data = malloc(n ? n : 1);
    memset(data, 'x', n);
    respond(out, 200, wasi_http_types_constructor_fields(), data, n);
    free(data);
    return;
  }
  if (strncmp(path, "/fetch/", 7) == 0) {
    wasi_http_types_incoming_request_drop_own(request);
    fetch(path + 7, out);
    return;
  }
  if (strcmp(path, "/echo") == 0 || strncmp(path, "/echo?", 6) == 0) {
    wasi_http_types_method_t m;
    wasi_http_types_method_incoming_request_method(rb, &m);
    static const char *const kNames[] = {"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                         "CONNECT", "OPTIONS", "TRACE", "PATCH"};
    const char *mname = m.tag < 9 ? kNames[m.tag] : "other";
    fields_t h = wasi_http_types_constructor_fields();
    add_header(h, "x-method", (const uint8_t *)mname, strlen(mname));
    add_header(h, "x-path", (const uint8_t *)path, strlen(path));
    wasi_http_types_method_free(&m);
    uint8_t *data = NULL;
    size_t len = 0;
    wasi_http_types_own_incoming_body_t body;
    if (wasi_http_types_method_incoming_request_consume(rb, &body)) len = read_body(body, &data);
    wasi_http_types_incoming_request_drop_own(request);
    respond(out, 200, h, data, len);
    free(data);
    return;
  }
  if (strcmp(path, "/headers") == 0) {
    fields_t req_headers = wasi_http_types_method_incoming_request_headers(rb);
    wasi_http_types_borrow_fields_t hb = wasi_http_types_borrow_fields(req_headers);
    proxy_string_t n = str("x-added");
    proxy_list_u8_t v = {(uint8_t *)"1", 1};
    wasi_http_types_header_error_t err;
    const char *verdict = "MUTABLE";
    if (!wasi_http_types_method_fields_append(hb, &n, &v, &err) &&
        err.tag == WASI_HTTP_TYPES_HEADER_ERROR_IMMUTABLE) {
      verdict = "immutable";
    }
    fields_t h = wasi_http_types_constructor_fields();
    proxy_string_t key = str("x-test");
    proxy_list_wasi_http_types_field_value_t values;
    wasi_http_types_method_fields_get(hb, &key, &values);
    if (values.len > 0) add_header(h, "x-seen", values.ptr[0].ptr, values.ptr[0].len);
    // A guest may not set connection framing headers.
    proxy_string_t te = str("transfer-encoding");
    proxy_list_u8_t chunked = {(uint8_t *)"chunked", 7};
    if (!wasi_http_types_method_fields_append(wasi_http_types_borrow_fields(h), &te, &chunked, &err) &&
        err.tag == WASI_HTTP_TYPES_HEADER_ERROR_FORBIDDEN) {
      add_header(h, "x-forbidden", (const uint8_t *)"refused", 7);
    }
    wasi_http_types_fields_drop_own(req_headers);
    wasi_http_types_incoming_request_drop_own(request);
    respond(out, 200, h, (const uint8_t *)verdict, strlen(verdict));
    return;
  }
  wasi_http_types_incoming_request_drop_own(request);
  respond_text(out, 200, "hello from routes\n");
}
