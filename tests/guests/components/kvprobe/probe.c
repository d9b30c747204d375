// The providers' probe: each export makes one wasi:keyvalue, wasi:config or
// wasi:logging call with its arguments (opening the bucket first) and
// answers with plain values; errors become text ("no-such-store",
// "access-denied", "other: MESSAGE") so tests can compare them.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"

// Copies `len` bytes into a fresh malloc'd string (results are freed by the glue).
static void dupBytes(probe_string_t *ret, const uint8_t *p, size_t len) {
  ret->ptr = (uint8_t *)malloc(len ? len : 1);
  if (!ret->ptr) abort();
  if (len) memcpy(ret->ptr, p, len);
  ret->len = len;
}

static void errorText(const wasi_keyvalue_store_error_t *e, probe_string_t *err) {
  switch (e->tag) {
    case WASI_KEYVALUE_STORE_ERROR_NO_SUCH_STORE: probe_string_dup(err, "no-such-store"); break;
    case WASI_KEYVALUE_STORE_ERROR_ACCESS_DENIED: probe_string_dup(err, "access-denied"); break;
    default: {
      const probe_string_t *m = &e->val.other;
      err->len = 7 + m->len;
      err->ptr = (uint8_t *)malloc(err->len);
      if (!err->ptr) abort();
      memcpy(err->ptr, "other: ", 7);
      memcpy(err->ptr + 7, m->ptr, m->len);
      break;
    }
  }
}

// Turns a failed call's error into text (freeing it); returns `ok`. The
// atomics and batch error types are the store's.
static bool finish(bool ok, wasi_keyvalue_store_error_t *e, probe_string_t *err) {
  if (!ok) {
    errorText(e, err);
    wasi_keyvalue_store_error_free(e);
  }
  return ok;
}

// Opens `name`; on failure writes the error text and returns false.
static bool openBucket(probe_string_t *name, wasi_keyvalue_store_own_bucket_t *b,
                       probe_string_t *err) {
  wasi_keyvalue_store_error_t e;
  return finish(wasi_keyvalue_store_open(name, b, &e), &e, err);
}

#define OPEN_OR_FAIL(bucketArg)                            \
  wasi_keyvalue_store_own_bucket_t own;                    \
  bool opened = openBucket(bucketArg, &own, err);          \
  probe_string_free(bucketArg);                            \
  if (!opened) return false;                               \
  wasi_keyvalue_store_borrow_bucket_t b = wasi_keyvalue_store_borrow_bucket(own)

#define CLOSE() wasi_keyvalue_store_bucket_drop_own(own)

bool exports_probe_get(probe_string_t *bucket, probe_string_t *key, probe_option_string_t *ret,
                       probe_string_t *err) {
  OPEN_OR_FAIL(bucket);
  probe_option_list_u8_t v;
  wasi_keyvalue_store_error_t e;
  bool ok = wasi_keyvalue_store_method_bucket_get(b, key, &v, &e);
  probe_string_free(key);
  CLOSE();
  if (!finish(ok, &e, err)) return false;
  ret->is_some = v.is_some;
  if (v.is_some) dupBytes(&ret->val, v.val.ptr, v.val.len);
  probe_option_list_u8_free(&v);
  return true;
}

bool exports_probe_set(probe_string_t *bucket, probe_string_t *key, probe_string_t *value,
                       probe_string_t *err) {
  OPEN_OR_FAIL(bucket);
  probe_list_u8_t bytes = {value->ptr, value->len};
  wasi_keyvalue_store_error_t e;
  bool ok = wasi_keyvalue_store_method_bucket_set(b, key, &bytes, &e);
  probe_string_free(key);
  probe_string_free(value);
  CLOSE();
  return finish(ok, &e, err);
}

bool exports_probe_delete(probe_string_t *bucket, probe_string_t *key, probe_string_t *err) {
  OPEN_OR_FAIL(bucket);
  wasi_keyvalue_store_error_t e;
  bool ok = wasi_keyvalue_store_method_bucket_delete(b, key, &e);
  probe_string_free(key);
  CLOSE();
  return finish(ok, &e, err);
}

bool exports_probe_exists(probe_string_t *bucket, probe_string_t *key, bool *ret,
                          probe_string_t *err) {
  OPEN_OR_FAIL(bucket);
  wasi_keyvalue_store_error_t e;
  bool ok = wasi_keyvalue_store_method_bucket_exists(b, key, ret, &e);
  probe_string_free(key);
  CLOSE();
  return finish(ok, &e, err);
}

// Every key, following the cursor page by page.
bool exports_probe_list_keys(probe_string_t *bucket, probe_list_string_t *ret,
                             probe_string_t *err) {
  OPEN_OR_FAIL(bucket);
  ret->ptr = NULL;
  ret->len = 0;
  probe_option_u64_t cursor = {.is_some = false};
  for (;;) {
    wasi_keyvalue_store_key_response_t page;
    wasi_keyvalue_store_error_t e;
    if (!finish(wasi_keyvalue_store_method_bucket_list_keys(b, &cursor, &page, &e), &e, err)) {
      probe_list_string_free(ret);
      CLOSE();
      return false;
    }
    ret->ptr = (probe_string_t *)realloc(ret->ptr, (ret->len + page.keys.len + 1) * sizeof *ret->ptr);
    if (!ret->ptr) abort();
    for (size_t i = 0; i < page.keys.len; i++) {
      dupBytes(&ret->ptr[ret->len++], page.keys.ptr[i].ptr, page.keys.ptr[i].len);
    }
    cursor = page.cursor;
    wasi_keyvalue_store_key_response_free(&page);
    if (!cursor.is_some) break;
  }
  CLOSE();
  return true;
}

bool exports_probe_increment(probe_string_t *bucket, probe_string_t *key, uint64_t delta,
                             uint64_t *ret, probe_string_t *err) {
  OPEN_OR_FAIL(bucket);
  wasi_keyvalue_atomics_error_t e;
  bool ok = wasi_keyvalue_atomics_increment(b, key, delta, ret, &e);
  probe_string_free(key);
  CLOSE();
  return finish(ok, &e, err);
}

bool exports_probe_get_many(probe_string_t *bucket, probe_list_string_t *keys,
                            probe_list_option_string_t *ret, probe_string_t *err) {
  OPEN_OR_FAIL(bucket);
  probe_list_option_tuple2_string_list_u8_t got;
  wasi_keyvalue_batch_error_t e;
  bool ok = wasi_keyvalue_batch_get_many(b, keys, &got, &e);
  probe_list_string_free(keys);
  CLOSE();
  if (!finish(ok, &e, err)) return false;
  ret->len = got.len;
  ret->ptr = (probe_option_string_t *)malloc((got.len ? got.len : 1) * sizeof *ret->ptr);
  if (!ret->ptr) abort();
  for (size_t i = 0; i < got.len; i++) {
    ret->ptr[i].is_some = got.ptr[i].is_some;
    if (got.ptr[i].is_some) {
      dupBytes(&ret->ptr[i].val, got.ptr[i].val.f1.ptr, got.ptr[i].val.f1.len);
    }
  }
  probe_list_option_tuple2_string_list_u8_free(&got);
  return true;
}

bool exports_probe_set_many(probe_string_t *bucket, probe_list_tuple2_string_string_t *pairs,
                            probe_string_t *err) {
  OPEN_OR_FAIL(bucket);
  probe_list_tuple2_string_list_u8_t kv;
  kv.len = pairs->len;
  kv.ptr = (probe_tuple2_string_list_u8_t *)malloc((pairs->len ? pairs->len : 1) * sizeof *kv.ptr);
  if (!kv.ptr) abort();
  for (size_t i = 0; i < pairs->len; i++) {
    kv.ptr[i].f0 = pairs->ptr[i].f0;
    kv.ptr[i].f1.ptr = pairs->ptr[i].f1.ptr;
    kv.ptr[i].f1.len = pairs->ptr[i].f1.len;
  }
  wasi_keyvalue_batch_error_t e;
  bool ok = wasi_keyvalue_batch_set_many(b, &kv, &e);
  free(kv.ptr);  // the strings belong to `pairs`
  probe_list_tuple2_string_string_free(pairs);
  CLOSE();
  return finish(ok, &e, err);
}

bool exports_probe_delete_many(probe_string_t *bucket, probe_list_string_t *keys,
                               probe_string_t *err) {
  OPEN_OR_FAIL(bucket);
  wasi_keyvalue_batch_error_t e;
  bool ok = wasi_keyvalue_batch_delete_many(b, keys, &e);
  probe_list_string_free(keys);
  CLOSE();
  return finish(ok, &e, err);
}

bool exports_probe_twice(probe_string_t *bucket, probe_string_t *key, uint64_t *ret,
                         probe_string_t *err) {
  wasi_keyvalue_store_own_bucket_t first, second;
  if (!openBucket(bucket, &first, err)) {
    probe_string_free(bucket);
    probe_string_free(key);
    return false;
  }
  bool opened = openBucket(bucket, &second, err);
  probe_string_free(bucket);
  if (!opened) {
    probe_string_free(key);
    wasi_keyvalue_store_bucket_drop_own(first);
    return false;
  }
  wasi_keyvalue_atomics_error_t e;
  uint64_t a = 0;
  bool ok = wasi_keyvalue_atomics_increment(wasi_keyvalue_store_borrow_bucket(first), key, 1, &a, &e);
  if (ok) {
    ok = wasi_keyvalue_atomics_increment(wasi_keyvalue_store_borrow_bucket(second), key, 1, ret, &e);
  }
  probe_string_free(key);
  wasi_keyvalue_store_bucket_drop_own(second);
  wasi_keyvalue_store_bucket_drop_own(first);
  return finish(ok, &e, err);
}

static void configErrorText(const wasi_config_store_error_t *e, probe_string_t *err) {
  probe_string_dup(err, e->tag == WASI_CONFIG_STORE_ERROR_UPSTREAM ? "upstream" : "io");
}

bool exports_probe_config_get(probe_string_t *key, probe_option_string_t *ret, probe_string_t *err) {
  wasi_config_store_error_t e;
  bool ok = wasi_config_store_get(key, ret, &e);
  probe_string_free(key);
  if (!ok) {
    configErrorText(&e, err);
    wasi_config_store_error_free(&e);
  }
  return ok;
}

bool exports_probe_config_all(probe_list_tuple2_string_string_t *ret, probe_string_t *err) {
  wasi_config_store_error_t e;
  bool ok = wasi_config_store_get_all(ret, &e);
  if (!ok) {
    configErrorText(&e, err);
    wasi_config_store_error_free(&e);
  }
  return ok;
}

void exports_probe_log(uint8_t level, probe_string_t *context, probe_string_t *message) {
  wasi_logging_logging_log(level, context, message);
  probe_string_free(context);
  probe_string_free(message);
}
