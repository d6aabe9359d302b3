#ifndef LLMRANK_CCURL_SHIM_H
#define LLMRANK_CCURL_SHIM_H
#include <curl/curl.h>
#endif
