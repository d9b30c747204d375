// A hello-world HTTP component in C for the wasi:http/proxy world.
//
// Build (CMake does this during the build; see CMakeLists.txt beside this file):
//   compono bindgen c ../../wit/wasi-http --world proxy -o gen/
//   clang --target=wasm32-wasi -mexec-model=reactor -O2 -Igen hello.c gen/proxy.c -o hello.core.wasm
//   compono componentize hello.core.wasm -o http-hello.wasm
// Serve:
//   compono serve http-hello.wasm --listen 127.0.0.1:8080
//   curl http://127.0.0.1:8080/
#include <string.h>

#include "proxy.h"

static wasi_http_types_own_fields_t header(const char *name, const char *value) {
  wasi_http_types_own_fields_t fields = wasi_http_types_constructor_fields();
  wasi_http_types_field_value_t v = {(uint8_t *)value, strlen(value)};
  wasi_http_types_header_error_t err;
  wasi_http_types_method_fields_append(wasi_http_types_borrow_fields(fields),
                                       &(wasi_http_types_field_key_t){(uint8_t *)name, strlen(name)},
                                       &v, &err);
  return fields;
}

void exports_wasi_http_incoming_handler_handle(wasi_http_types_own_incoming_request_t request,
                                               wasi_http_types_own_response_outparam_t out) {
  wasi_http_types_incoming_request_drop_own(request);

  wasi_http_types_own_outgoing_response_t response =
      wasi_http_types_constructor_outgoing_response(header("content-type", "text/plain"));
  wasi_http_types_own_outgoing_body_t body;
  wasi_http_types_method_outgoing_response_body(
      wasi_http_types_borrow_outgoing_response(response), &body);

  // Hand the response over first: the host starts sending it while we write.
  proxy_result_wasi_http_types_own_outgoing_response_wasi_http_types_error_code_t result = {
      .is_err = false, .val = {.ok = response}};
  wasi_http_types_static_response_outparam_set(out, &result);

  wasi_io_streams_own_output_stream_t stream;
  wasi_http_types_method_outgoing_body_write(wasi_http_types_borrow_outgoing_body(body), &stream);
  static const char kText[] = "Hello from a Compono component!\n";
  proxy_list_u8_t bytes = {(uint8_t *)kText, sizeof kText - 1};
  wasi_io_streams_stream_error_t serr;
  wasi_io_streams_method_output_stream_blocking_write_and_flush(
      wasi_io_streams_borrow_output_stream(stream), &bytes, &serr);
  wasi_io_streams_output_stream_drop_own(stream);

  proxy_option_wasi_http_types_own_fields_t no_trailers = {.is_some = false};
  wasi_http_types_error_code_t ferr;
  wasi_http_types_static_outgoing_body_finish(body, &no_trailers, &ferr);
}
