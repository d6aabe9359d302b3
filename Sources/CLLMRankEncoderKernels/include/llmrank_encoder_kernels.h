#ifndef LLMRANK_ENCODER_KERNELS_H
#define LLMRANK_ENCODER_KERNELS_H
// Element-wise steps of the BERT forward pass (llmrank's local encoder), in C so they run at full
// speed in debug builds too. All arrays are row-major float32; each function works in place.
#include <stddef.h>
#include <stdint.h>

/// x[r, j] = gelu(x[r, j] + bias[j]), GELU in its exact form 0.5 x (1 + erf(x / sqrt 2)).
void llmrank_bias_gelu(float *x, size_t rows, size_t n, const float *bias);

/// x[r, :] = LayerNorm(x[r, :] + bias + residual[r, :]) * gamma + beta (bias, residual may be NULL).
void llmrank_add_layer_norm(float *x, size_t rows, size_t n, const float *bias, const float *residual,
                            const float *gamma, const float *beta, float eps);

/// x[r, :] = softmax(x[r, :]).
void llmrank_softmax(float *x, size_t rows, size_t n);

/// x[r, j] += bias[j].
void llmrank_add_bias(float *x, size_t rows, size_t n, const float *bias);

/// Rounds n floats to bfloat16 (to nearest even).
void llmrank_to_bf16(const float *in, uint16_t *out, size_t n);

/// 1 when this CPU runs AVX512-BF16 (and the kernel below was compiled in), else 0.
int llmrank_has_avx512bf16(void);

/// Bytes of the packed form of a [rows, k] bfloat16 weight matrix for llmrank_bf16_gemm.
size_t llmrank_bf16_packed_size(size_t rows, size_t k);

/// Packs W[rows, k] (float32, PyTorch Linear layout) into bfloat16 pairs for llmrank_bf16_gemm.
void llmrank_bf16_pack(const float *w, size_t rows, size_t k, uint16_t *packed);

/// C[m, rows] = A[m, k] * W^T with A given as bfloat16 [m, k] (k even) and W packed by
/// llmrank_bf16_pack; float32 accumulation (AVX512-BF16 vdpbf16ps). Needs llmrank_has_avx512bf16().
void llmrank_bf16_gemm(const uint16_t *a, size_t m, size_t k, const uint16_t *packed, size_t rows, float *c);

#endif
