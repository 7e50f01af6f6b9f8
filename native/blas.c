/*
 * airlora optional native addon: single-precision GEMM through the system CBLAS (OpenBLAS on
 * Debian: apt-get install libopenblas-dev), called by the wasm backend's BatchMatMul kernel
 * directly on the wasm heap (a Float32Array view, so no copy in or out).
 *
 * sgemmBatch(heap, aOff, bOff, cOff, batch, m, n, k, transA, transB, strideA, strideB, strideC)
 *   offsets and strides are in float32 elements; a stride of 0 broadcasts that operand.
 *   For each i < batch: C_i = op(A_i) · op(B_i), row-major, C_i is m×n.
 * setThreads(n), getThreads(), config() → string.
 */
#include <node_api.h>
#include <cblas.h>
#include <stdint.h>
#include <string.h>

#ifndef AIRLORA_NO_OPENBLAS_EXT
extern void openblas_set_num_threads(int);
extern int openblas_get_num_threads(void);
extern char *openblas_get_config(void);
#endif

#define CHECK(call)                                                        \
  do {                                                                     \
    if ((call) != napi_ok) {                                               \
      napi_throw_error(env, NULL, "airlora blas: N-API call failed: " #call); \
      return NULL;                                                         \
    }                                                                      \
  } while (0)

static napi_value SgemmBatch(napi_env env, napi_callback_info info) {
  size_t argc = 13;
  napi_value args[13];
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  if (argc != 13) {
    napi_throw_type_error(env, NULL, "airlora blas: sgemmBatch takes 13 arguments");
    return NULL;
  }
  napi_typedarray_type type;
  size_t length;
  void *data;
  napi_value buf;
  size_t byteOffset;
  CHECK(napi_get_typedarray_info(env, args[0], &type, &length, &data, &buf, &byteOffset));
  if (type != napi_float32_array) {
    napi_throw_type_error(env, NULL, "airlora blas: heap must be a Float32Array");
    return NULL;
  }
  int64_t v[12];
  for (int i = 0; i < 12; i++) CHECK(napi_get_value_int64(env, args[i + 1], &v[i]));
  const int64_t aOff = v[0], bOff = v[1], cOff = v[2], batch = v[3], m = v[4], n = v[5], k = v[6];
  const int tA = v[7] != 0, tB = v[8] != 0;
  const int64_t sA = v[9], sB = v[10], sC = v[11];
  if (batch < 0 || m < 0 || n < 0 || k < 0 || aOff < 0 || bOff < 0 || cOff < 0 || sA < 0 || sB < 0 || sC < 0) {
    napi_throw_range_error(env, NULL, "airlora blas: negative size, offset or stride");
    return NULL;
  }
  /* Bounds: the last slice of each operand must lie inside the heap view. */
  const int64_t len = (int64_t)length;
  if (batch > 0 && ((aOff + (batch - 1) * sA + m * k > len) || (bOff + (batch - 1) * sB + k * n > len) ||
                    (cOff + (batch - 1) * sC + m * n > len))) {
    napi_throw_range_error(env, NULL, "airlora blas: operand outside the heap");
    return NULL;
  }
  float *heap = (float *)data;
  const int lda = tA ? (int)m : (int)k;
  const int ldb = tB ? (int)k : (int)n;
  for (int64_t i = 0; i < batch; i++) {
    float *c = heap + cOff + i * sC;
    if (k == 0) {
      memset(c, 0, sizeof(float) * (size_t)(m * n));
      continue;
    }
    cblas_sgemm(CblasRowMajor, tA ? CblasTrans : CblasNoTrans, tB ? CblasTrans : CblasNoTrans, (int)m, (int)n,
                (int)k, 1.0f, heap + aOff + i * sA, lda, heap + bOff + i * sB, ldb, 0.0f, c, (int)n);
  }
  return NULL;
}

static napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value args[1];
  int32_t n;
  CHECK(napi_get_cb_info(env, info, &argc, args, NULL, NULL));
  CHECK(napi_get_value_int32(env, args[0], &n));
#ifndef AIRLORA_NO_OPENBLAS_EXT
  if (n > 0) openblas_set_num_threads(n);
#endif
  return NULL;
}

static napi_value GetThreads(napi_env env, napi_callback_info info) {
  napi_value out;
#ifndef AIRLORA_NO_OPENBLAS_EXT
  CHECK(napi_create_int32(env, openblas_get_num_threads(), &out));
#else
  CHECK(napi_create_int32(env, 1, &out));
#endif
  return out;
}

static napi_value Config(napi_env env, napi_callback_info info) {
  napi_value out;
#ifndef AIRLORA_NO_OPENBLAS_EXT
  const char *s = openblas_get_config();
#else
  const char *s = "cblas";
#endif
  CHECK(napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &out));
  return out;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"sgemmBatch", NULL, SgemmBatch, NULL, NULL, NULL, napi_default, NULL},
      {"setThreads", NULL, SetThreads, NULL, NULL, NULL, napi_default, NULL},
      {"getThreads", NULL, GetThreads, NULL, NULL, NULL, napi_default, NULL},
      {"config", NULL, Config, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
