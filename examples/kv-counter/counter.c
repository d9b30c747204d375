// A request counter: an HTTP handler (wasi:http/incoming-handler) that
// increments a counter in a key-value bucket on every request and answers
// with its new value. Which bucket and key it counts in, and the text it
// answers with, come from its configuration (wasi:config/store); it logs
// each request (wasi:logging). All three are capabilities the application
// manifest (app.yaml) links to it; without them it does not link at all.
//
// Build (CMake does this; see CMakeLists.txt):
//   compono bindgen c wit/ --world counter -o gen/       (wit/ with deps/ assembled)
//   clang --target=wasm32-wasi -mexec-model=reactor -O2 -Igen counter.c gen/counter.c -o counter.core.wasm
//   compono componentize counter.core.wasm -o kv-counter.wasm
// Run:
//   compono up app.yaml
//   curl http://127.0.0.1:8080/count
#include <stdlib.h>
#include <string.h>

#include "counter.h"

// A configuration value, or `fallback` when it is not set (the result is
// malloc'd and NUL-terminated).
static char *config(const char *key, const char *fallback) {
  counter_string_t k = {(uint8_t *)key, strlen(key)};
  counter_option_string_t v;
  wasi_config_store_error_t err;
  const char *src = fallback;
  size_t len = strlen(fallback);
  bool ok = wasi_config_store_get(&k, &v, &err);
  if (!ok) wasi_config_store_error_free(&err);
  if (ok && v.is_some) {
    src = (const char *)v.val.ptr;
    len = v.val.len;
  }
  char *out = (char *)malloc(len + 1);
  if (!out) abort();
  memcpy(out, src, len);
  out[len] = 0;
  if (ok) counter_option_string_free(&v);
  return out;
}

static void logLine(wasi_logging_logging_level_t level, const char *message) {
  counter_string_t ctx = {(uint8_t *)"request", 7};
  counter_string_t msg = {(uint8_t *)message, strlen(message)};
  wasi_logging_logging_log(level, &ctx, &msg);
}

// Sends `status` with a text/plain body.
static void respond(wasi_http_types_own_response_outparam_t out, uint16_t status, const char *text) {
  wasi_http_types_own_fields_t headers = wasi_http_types_constructor_fields();
  wasi_http_types_field_key_t name = {(uint8_t *)"content-type", 12};
  wasi_http_types_field_value_t value = {(uint8_t *)"text/plain; charset=utf-8", 25};
  wasi_http_types_header_error_t herr;
  wasi_http_types_method_fields_append(wasi_http_types_borrow_fields(headers), &name, &value, &herr);

  wasi_http_types_own_outgoing_response_t response =
      wasi_http_types_constructor_outgoing_response(headers);
  wasi_http_types_method_outgoing_response_set_status_code(
      wasi_http_types_borrow_outgoing_response(response), status);
  wasi_http_types_own_outgoing_body_t body;
  wasi_http_types_method_outgoing_response_body(wasi_http_types_borrow_outgoing_response(response),
                                               &body);
  counter_result_wasi_http_types_own_outgoing_response_wasi_http_types_error_code_t result = {
      .is_err = false, .val = {.ok = response}};
  wasi_http_types_static_response_outparam_set(out, &result);

  wasi_io_streams_own_output_stream_t stream;
  if (wasi_http_types_method_outgoing_body_write(wasi_http_types_borrow_outgoing_body(body),
                                                 &stream)) {
    counter_list_u8_t bytes = {(uint8_t *)text, strlen(text)};
    wasi_io_streams_stream_error_t serr;
    if (!wasi_io_streams_method_output_stream_blocking_write_and_flush(
            wasi_io_streams_borrow_output_stream(stream), &bytes, &serr)) {
      wasi_io_streams_stream_error_free(&serr);
    }
    wasi_io_streams_output_stream_drop_own(stream);
  }
  counter_option_wasi_http_types_own_fields_t no_trailers = {.is_some = false};
  wasi_http_types_error_code_t ferr;
  if (!wasi_http_types_static_outgoing_body_finish(body, &no_trailers, &ferr)) {
    wasi_http_types_error_code_free(&ferr);
  }
}

// Appends NUL-terminated pieces to `out` (size `cap`, always terminated).
// No stdio: it would make the module import WASI preview 1 (files).
static void append(char *out, size_t cap, const char *piece) {
  size_t n = strlen(out);
  while (*piece && n + 1 < cap) out[n++] = *piece++;
  out[n] = 0;
}

static void appendU64(char *out, size_t cap, uint64_t v) {
  char digits[24];
  int i = 23;
  digits[i] = 0;
  do {
    digits[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  append(out, cap, digits + i);
}

static const char *errorName(const wasi_keyvalue_store_error_t *e) {
  switch (e->tag) {
    case WASI_KEYVALUE_STORE_ERROR_NO_SUCH_STORE: return "no such store";
    case WASI_KEYVALUE_STORE_ERROR_ACCESS_DENIED: return "access denied";
    default: return "store error";
  }
}

// Answers 500 with "cannot VERB OBJECT: REASON" and logs it as an error.
static void fail(wasi_http_types_own_response_outparam_t out, const char *verb, const char *object,
                 const char *reason) {
  char text[256] = "";
  append(text, sizeof text, "cannot ");
  append(text, sizeof text, verb);
  append(text, sizeof text, " ");
  append(text, sizeof text, object);
  append(text, sizeof text, ": ");
  append(text, sizeof text, reason);
  append(text, sizeof text, "\n");
  logLine(WASI_LOGGING_LOGGING_LEVEL_ERROR, text);
  respond(out, 500, text);
}

void exports_wasi_http_incoming_handler_handle(wasi_http_types_own_incoming_request_t request,
                                               wasi_http_types_own_response_outparam_t out) {
  wasi_http_types_incoming_request_drop_own(request);
  char *bucketName = config("bucket", "counter");
  char *key = config("key", "hits");
  char *label = config("label", "requests so far");
  char where[160] = "";  // "bucket/key"
  append(where, sizeof where, bucketName);
  append(where, sizeof where, "/");
  append(where, sizeof where, key);

  counter_string_t name = {(uint8_t *)bucketName, strlen(bucketName)};
  wasi_keyvalue_store_own_bucket_t bucket;
  wasi_keyvalue_store_error_t err;
  if (!wasi_keyvalue_store_open(&name, &bucket, &err)) {
    fail(out, "open bucket", bucketName, errorName(&err));
    wasi_keyvalue_store_error_free(&err);
  } else {
    counter_string_t k = {(uint8_t *)key, strlen(key)};
    uint64_t count = 0;
    wasi_keyvalue_atomics_error_t aerr;
    if (wasi_keyvalue_atomics_increment(wasi_keyvalue_store_borrow_bucket(bucket), &k, 1, &count,
                                        &aerr)) {
      char text[256] = "";
      append(text, sizeof text, label);
      append(text, sizeof text, ": ");
      appendU64(text, sizeof text, count);
      append(text, sizeof text, "\n");
      char line[256] = "";
      append(line, sizeof line, where);
      append(line, sizeof line, " is now ");
      appendU64(line, sizeof line, count);
      logLine(WASI_LOGGING_LOGGING_LEVEL_INFO, line);
      respond(out, 200, text);
    } else {
      fail(out, "increment", where, errorName(&aerr));
      wasi_keyvalue_atomics_error_free(&aerr);
    }
    wasi_keyvalue_store_bucket_drop_own(bucket);
  }
  free(bucketName);
  free(key);
  free(label);
}
