#ifndef LLMRANK_SHIMS_H
#define LLMRANK_SHIMS_H
/* Non-variadic wrappers around libcurl's variadic setopt/getinfo, which Swift cannot call directly,
   and a one-call SHA-256 over OpenSSL's EVP interface. Names carry the llmrank_ prefix. */
#include <curl/curl.h>
#include <stddef.h>

CURLcode llmrank_curl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode llmrank_curl_setopt_ptr(CURL *handle, CURLoption option, const void *value);
CURLcode llmrank_curl_setopt_off(CURL *handle, CURLoption option, curl_off_t value);
CURLcode llmrank_curl_setopt_write(CURL *handle, size_t (*fn)(char *, size_t, size_t, void *), void *userdata);
CURLcode llmrank_curl_setopt_header(CURL *handle, size_t (*fn)(char *, size_t, size_t, void *), void *userdata);
CURLcode llmrank_curl_setopt_xferinfo(CURL *handle, int (*fn)(void *, curl_off_t, curl_off_t, curl_off_t, curl_off_t), void *userdata);
CURLcode llmrank_curl_getinfo_long(CURL *handle, CURLINFO info, long *out);
CURLcode llmrank_curl_getinfo_double(CURL *handle, CURLINFO info, double *out);
CURLMcode llmrank_curlm_setopt_long(CURLM *multi, CURLMoption option, long value);

/* SHA-256 of `len` bytes into `out` (32 bytes). Returns 1 on success. */
int llmrank_sha256(const void *data, size_t len, unsigned char out[32]);

#endif
