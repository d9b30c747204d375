// The `basic-world` of ../shared/fixtures/components/wit (package
// example:calc@0.1.0) in plain C on top of `compono bindgen c`: the same
// behaviour as the fixture's hand-written src/c/basic.c, so the component
// built from it by `compono componentize` answers the basic-c.wasm cases of
// expected.json alike.
#include <stdlib.h>
#include <string.h>

#include "basic_world.h"

// Copies `len` bytes into a fresh malloc'd string (results are freed by the
// glue's post-return functions).
static void stringFrom(basic_world_string_t *ret, const uint8_t *bytes, size_t len) {
  ret->ptr = (uint8_t *)malloc(len > 0 ? len : 1);
  if (!ret->ptr) abort();
  memcpy(ret->ptr, bytes, len);
  ret->len = len;
}

uint32_t exports_example_calc_basic_add(uint32_t a, uint32_t b) { return a + b; }

int64_t exports_example_calc_basic_add_s64(int64_t a, int64_t b) {
  return (int64_t)((uint64_t)a + (uint64_t)b);  // wrapping
}

double exports_example_calc_basic_mul_f64(double a, double b) { return a * b; }

void exports_example_calc_basic_upper(basic_world_string_t *s, basic_world_string_t *ret) {
  stringFrom(ret, s->ptr, s->len);
  for (size_t i = 0; i < ret->len; i++) {
    uint8_t c = ret->ptr[i];
    if (c >= 'a' && c <= 'z') ret->ptr[i] = (uint8_t)(c - 32);  // ASCII only
  }
  basic_world_string_free(s);
}

uint64_t exports_example_calc_basic_sum_bytes(basic_world_list_u8_t *data) {
  uint64_t sum = 0;
  for (size_t i = 0; i < data->len; i++) sum += data->ptr[i];
  basic_world_list_u8_free(data);
  return sum;
}

void exports_example_calc_basic_translate(exports_example_calc_basic_point_t *p, int32_t dx,
                                          int32_t dy, exports_example_calc_basic_point_t *ret) {
  ret->x = (int32_t)((uint32_t)p->x + (uint32_t)dx);
  ret->y = (int32_t)((uint32_t)p->y + (uint32_t)dy);
}

void exports_example_calc_basic_color_name(exports_example_calc_basic_color_t c,
                                           basic_world_string_t *ret) {
  switch (c) {
    case EXPORTS_EXAMPLE_CALC_BASIC_COLOR_RED: basic_world_string_dup(ret, "red"); break;
    case EXPORTS_EXAMPLE_CALC_BASIC_COLOR_GREEN: basic_world_string_dup(ret, "green"); break;
    case EXPORTS_EXAMPLE_CALC_BASIC_COLOR_BLUE: basic_world_string_dup(ret, "blue"); break;
    default: basic_world_string_dup(ret, "?"); break;
  }
}

bool exports_example_calc_basic_checked_div(int32_t a, int32_t b, int32_t *ret,
                                            basic_world_string_t *err) {
  if (b == 0) {
    basic_world_string_dup(err, "division by zero");
    return false;
  }
  if (a == INT32_MIN && b == -1) {
    basic_world_string_dup(err, "overflow");
    return false;
  }
  *ret = a / b;
  return true;
}

bool exports_example_calc_basic_find_byte(basic_world_list_u8_t *data, uint8_t b, uint32_t *ret) {
  bool found = false;
  for (size_t i = 0; i < data->len; i++) {
    if (data->ptr[i] == b) {
      *ret = (uint32_t)i;
      found = true;
      break;
    }
  }
  basic_world_list_u8_free(data);
  return found;
}

void exports_example_calc_basic_greet(basic_world_string_t *name, basic_world_string_t *ret) {
  static const char kHello[] = "Hello, ";
  size_t n = sizeof(kHello) - 1 + name->len + 1;
  ret->ptr = (uint8_t *)malloc(n);
  if (!ret->ptr) abort();
  memcpy(ret->ptr, kHello, sizeof(kHello) - 1);
  memcpy(ret->ptr + sizeof(kHello) - 1, name->ptr, name->len);
  ret->ptr[n - 1] = '!';
  ret->len = n;
  example_calc_logger_log(EXAMPLE_CALC_LOGGER_LEVEL_INFO, ret);  // the import only borrows it
  basic_world_string_free(name);
}
