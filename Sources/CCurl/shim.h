// Typed wrappers for libcurl's variadic calls, which Swift cannot call directly.
#ifndef STOREFRONT_CCURL_SHIM_H
#define STOREFRONT_CCURL_SHIM_H
#include <curl/curl.h>

typedef size_t (*sf_curl_write_callback)(char *data, size_t size, size_t count, void *context);

static inline CURLcode sf_curl_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode sf_curl_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode sf_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode sf_curl_setopt_headers(CURL *handle, struct curl_slist *headers) {
    return curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers);
}
static inline CURLcode sf_curl_setopt_write(CURL *handle, sf_curl_write_callback callback, void *context) {
    CURLcode code = curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
    if (code != CURLE_OK) return code;
    return curl_easy_setopt(handle, CURLOPT_WRITEDATA, context);
}
/// The value of the last response's header `name` (case-insensitive), or NULL.
static inline const char *sf_curl_header(CURL *handle, const char *name) {
    struct curl_header *header = NULL;
    if (curl_easy_header(handle, name, 0, CURLH_HEADER, -1, &header) != CURLHE_OK || header == NULL) return NULL;
    return header->value;
}
static inline long sf_curl_response_code(CURL *handle) {
    long status = 0;
    curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

typedef void (*sf_curl_lock_function)(CURL *handle, curl_lock_data data, curl_lock_access access, void *context);
typedef void (*sf_curl_unlock_function)(CURL *handle, curl_lock_data data, void *context);
/// A share handle's locks, and what it shares between the easy handles that use it:
/// TLS sessions and DNS answers.
static inline CURLSHcode sf_curl_share_setup(CURLSH *share, sf_curl_lock_function lock, sf_curl_unlock_function unlock, void *context) {
    CURLSHcode code = curl_share_setopt(share, CURLSHOPT_LOCKFUNC, lock);
    if (code == CURLSHE_OK) code = curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, unlock);
    if (code == CURLSHE_OK) code = curl_share_setopt(share, CURLSHOPT_USERDATA, context);
    if (code == CURLSHE_OK) code = curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    if (code == CURLSHE_OK) code = curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    return code;
}
static inline CURLcode sf_curl_setopt_share(CURL *handle, CURLSH *share) {
    return curl_easy_setopt(handle, CURLOPT_SHARE, share);
}
#endif
