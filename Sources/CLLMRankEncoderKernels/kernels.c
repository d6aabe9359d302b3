// Element-wise kernels and a bfloat16 GEMM for llmrank's BERT encoder. See the header.
#include "llmrank_encoder_kernels.h"

#include <math.h>
#include <string.h>

#if defined(__OPTIMIZE__)
// e^x without branches, so loops over it vectorize: Cody-Waite reduction to [-ln2/2, ln2/2], a
// degree-6 polynomial, 2^n through the exponent bits. Relative error < 2e-7 on [-87, 88].
__attribute__((always_inline)) static inline float fast_exp(float x) {
    x = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
    const float shifter = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
    float n = (x * 1.44269504f + shifter) - shifter;
    float r = x - n * 0.693145752f;
    r = r - n * 1.42860677e-6f;
    float p = 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    int32_t bits = ((int32_t)n + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return p * scale;
}

// erf(x) with |error| < 1.5e-7 (Abramowitz & Stegun 7.1.26).
__attribute__((always_inline)) static inline float fast_erf(float x) {
    float a = fabsf(x);
    float t = 1.0f / (1.0f + 0.3275911f * a);
    float y = 1.061405429f;
    y = y * t - 1.453152027f;
    y = y * t + 1.421413741f;
    y = y * t - 0.284496736f;
    y = y * t + 0.254829592f;
    y = 1.0f - y * t * fast_exp(-a * a);
    return x < 0 ? -y : y;
}
#else
// Unoptimized builds: the C library's, which are fast without the optimizer.
static inline float fast_exp(float x) { return expf(x); }
static inline float fast_erf(float x) { return erff(x); }
#endif

// Sum with 8 partial sums (vectorizes without reassociation flags).
__attribute__((always_inline)) static inline float sum(const float *x, size_t n) {
    float part[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    size_t j = 0;
    for (; j + 8 <= n; j += 8)
        for (int l = 0; l < 8; l++) part[l] += x[j + l];
    float total = 0;
    for (; j < n; j++) total += x[j];
    for (int l = 0; l < 8; l++) total += part[l];
    return total;
}

__attribute__((always_inline)) static inline void body_bias_gelu(float *x, size_t rows, size_t n, const float *bias) {
    for (size_t r = 0; r < rows; r++) {
        float *row = x + r * n;
        for (size_t j = 0; j < n; j++) {
            float v = row[j] + bias[j];
            row[j] = 0.5f * v * (1.0f + fast_erf(v * 0.70710678118654752f));
        }
    }
}

__attribute__((always_inline)) static inline void body_add_layer_norm(float *x, size_t rows, size_t n, const float *bias, const float *residual,
                            const float *gamma, const float *beta, float eps) {
    for (size_t r = 0; r < rows; r++) {
        float *row = x + r * n;
        const float *res = residual ? residual + r * n : NULL;
        float sum = 0;
        for (size_t j = 0; j < n; j++) {
            float v = row[j];
            if (bias) v += bias[j];
            if (res) v += res[j];
            row[j] = v;
            sum += v;
        }
        float mean = sum / (float)n;
        float sq = 0;
        for (size_t j = 0; j < n; j++) {
            float d = row[j] - mean;
            sq += d * d;
        }
        float inv = 1.0f / sqrtf(sq / (float)n + eps);
        for (size_t j = 0; j < n; j++) row[j] = (row[j] - mean) * inv * gamma[j] + beta[j];
    }
}

__attribute__((always_inline)) static inline void body_softmax(float *x, size_t rows, size_t n) {
    for (size_t r = 0; r < rows; r++) {
        float *row = x + r * n;
        float m = -INFINITY;
        for (size_t j = 0; j < n; j++) m = row[j] > m ? row[j] : m;
        for (size_t j = 0; j < n; j++) row[j] = fast_exp(row[j] - m);
        float inv = 1.0f / sum(row, n);
        for (size_t j = 0; j < n; j++) row[j] *= inv;
    }
}

__attribute__((always_inline)) static inline void body_add_bias(float *x, size_t rows, size_t n, const float *bias) {
    for (size_t r = 0; r < rows; r++) {
        float *row = x + r * n;
        for (size_t j = 0; j < n; j++) row[j] += bias[j];
    }
}

__attribute__((always_inline)) static inline uint16_t to_bf16(float f) {
    uint32_t bits;
    memcpy(&bits, &f, sizeof bits);
    if ((bits & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((bits >> 16) | 0x40);  // NaN
    bits += 0x7fffu + ((bits >> 16) & 1u);
    return (uint16_t)(bits >> 16);
}

__attribute__((always_inline)) static inline void body_to_bf16(const float *in, uint16_t *out, size_t n) {
    for (size_t i = 0; i < n; i++) out[i] = to_bf16(in[i]);
}

// Each element-wise kernel is compiled twice from the same body: for the x86-64 baseline and for
// AVX-512 (16 lanes), chosen at run time by the CPU.
#if defined(__x86_64__) && defined(__clang__)
#define WIDE_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma")))
static int wide_cpu(void) {
    static int known = -1;
    if (known < 0) {
        __builtin_cpu_init();
        known = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
                __builtin_cpu_supports("fma");
    }
    return known;
}
#define DISPATCH(NAME, PARAMS, ARGS)                                   \
    WIDE_TARGET static void wide_##NAME PARAMS { body_##NAME ARGS; }   \
    static void base_##NAME PARAMS { body_##NAME ARGS; }               \
    void llmrank_##NAME PARAMS {                                       \
        if (wide_cpu()) wide_##NAME ARGS; else base_##NAME ARGS;       \
    }
#else
#define DISPATCH(NAME, PARAMS, ARGS) \
    void llmrank_##NAME PARAMS { body_##NAME ARGS; }
#endif

DISPATCH(bias_gelu, (float *x, size_t rows, size_t n, const float *bias), (x, rows, n, bias))
DISPATCH(add_layer_norm, (float *x, size_t rows, size_t n, const float *bias, const float *residual, const float *gamma, const float *beta, float eps), (x, rows, n, bias, residual, gamma, beta, eps))
DISPATCH(softmax, (float *x, size_t rows, size_t n), (x, rows, n))
DISPATCH(add_bias, (float *x, size_t rows, size_t n, const float *bias), (x, rows, n, bias))
DISPATCH(to_bf16, (const float *in, uint16_t *out, size_t n), (in, out, n))

size_t llmrank_bf16_packed_size(size_t rows, size_t k) {
    return ((rows + 15) / 16) * 16 * k * sizeof(uint16_t);
}

// Packed layout: for each block of 16 output columns (rows of W) and each pair p of the k axis,
// 32 values: W[j, 2p], W[j, 2p+1] for the 16 columns j of the block (zero past the last row).
void llmrank_bf16_pack(const float *w, size_t rows, size_t k, uint16_t *packed) {
    size_t blocks = (rows + 15) / 16, pairs = k / 2;
    for (size_t b = 0; b < blocks; b++)
        for (size_t p = 0; p < pairs; p++) {
            uint16_t *dst = packed + (b * pairs + p) * 32;
            for (size_t c = 0; c < 16; c++) {
                size_t j = b * 16 + c;
                dst[2 * c] = j < rows ? to_bf16(w[j * k + 2 * p]) : 0;
                dst[2 * c + 1] = j < rows ? to_bf16(w[j * k + 2 * p + 1]) : 0;
            }
        }
}

#if defined(__x86_64__) && defined(__clang__) && __clang_major__ >= 11
#include <immintrin.h>
#define BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16")))
#define HAVE_BF16_KERNEL 1

int llmrank_has_avx512bf16(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512bf16") && __builtin_cpu_supports("avx512f");
}

// One tile: MR rows of A by NB blocks of 16 columns, over `pairs` k-pairs.
// One tile: MR rows of A by NB blocks of 16 columns, over `pairs` k-pairs. Every loop over the
// tile is unrolled so the MR x NB accumulators stay in registers.
#define KERNEL(MR, NB)                                                                                  \
    BF16_TARGET static void kernel_##MR##_##NB(const uint16_t *a, size_t lda, const uint16_t *b,        \
                                               size_t bstride, size_t pairs, float *c, size_t ldc,      \
                                               int accumulate) {                                        \
        __m512 acc[MR][NB];                                                                             \
        _Pragma("clang loop unroll(full)") for (int r = 0; r < MR; r++)                                 \
            _Pragma("clang loop unroll(full)") for (int q = 0; q < NB; q++) acc[r][q] = _mm512_setzero_ps(); \
        for (size_t p = 0; p < pairs; p++) {                                                            \
            __m512bh bv[NB];                                                                            \
            _Pragma("clang loop unroll(full)") for (int q = 0; q < NB; q++)                             \
                bv[q] = (__m512bh)_mm512_loadu_si512(b + q * bstride + p * 32);                         \
            _Pragma("clang loop unroll(full)") for (int r = 0; r < MR; r++) {                           \
                int32_t word;                                                                           \
                memcpy(&word, a + r * lda + 2 * p, sizeof word);                                        \
                __m512bh av = (__m512bh)_mm512_set1_epi32(word);                                        \
                _Pragma("clang loop unroll(full)") for (int q = 0; q < NB; q++)                         \
                    acc[r][q] = _mm512_dpbf16_ps(acc[r][q], av, bv[q]);                                 \
            }                                                                                           \
        }                                                                                               \
        _Pragma("clang loop unroll(full)") for (int r = 0; r < MR; r++)                                 \
            _Pragma("clang loop unroll(full)") for (int q = 0; q < NB; q++) {                           \
                float *dst = c + r * ldc + q * 16;                                                      \
                __m512 v = acc[r][q];                                                                   \
                if (accumulate) v = _mm512_add_ps(v, _mm512_loadu_ps(dst));                            \
                _mm512_storeu_ps(dst, v);                                                               \
            }                                                                                           \
    }

typedef void (*kernel_fn)(const uint16_t *, size_t, const uint16_t *, size_t, size_t, float *, size_t, int);
#define K2(MR) KERNEL(MR, 1) KERNEL(MR, 2)
K2(1) K2(2) K2(3) K2(4) K2(5) K2(6) K2(7) K2(8) K2(9) K2(10) K2(11) K2(12)
#define ROW(MR) {kernel_##MR##_1, kernel_##MR##_2}
static const kernel_fn kernels[13][2] = {
    {0, 0}, ROW(1), ROW(2), ROW(3), ROW(4), ROW(5), ROW(6), ROW(7), ROW(8), ROW(9), ROW(10), ROW(11), ROW(12),
};

void llmrank_bf16_gemm(const uint16_t *a, size_t m, size_t k, const uint16_t *packed, size_t rows, float *c) {
#ifndef LLMRANK_KC
#define LLMRANK_KC 384
#endif
#ifndef LLMRANK_MC
#define LLMRANK_MC 144
#endif
    const size_t KC = LLMRANK_KC, MC = LLMRANK_MC, MR = 12;
    size_t pairs = k / 2, blocks = rows / 16;  // rows is a multiple of 16 (the caller checks)
    size_t bstride = pairs * 32;
    for (size_t pc = 0; pc < k; pc += KC) {
        size_t kc = (k - pc < KC ? k - pc : KC) / 2;
        for (size_t ic = 0; ic < m; ic += MC) {
            size_t mc = m - ic < MC ? m - ic : MC;
            for (size_t jb = 0; jb < blocks; jb += 2) {
                int nb = blocks - jb >= 2 ? 2 : 1;
                const uint16_t *bp = packed + jb * bstride + (pc / 2) * 32;
                for (size_t ir = 0; ir < mc; ir += MR) {
                    size_t mr = mc - ir < MR ? mc - ir : MR;
                    size_t row = ic + ir;
                    kernels[mr][nb - 1](a + row * k + pc, k, bp, bstride, kc, c + row * rows + jb * 16, rows, pc > 0);
                }
            }
        }
    }
}
#else
int llmrank_has_avx512bf16(void) { return 0; }
void llmrank_bf16_gemm(const uint16_t *a, size_t m, size_t k, const uint16_t *packed, size_t rows, float *c) {
    (void)a; (void)m; (void)k; (void)packed; (void)rows; (void)c;
}
#endif
