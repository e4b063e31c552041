/* The network stage's part of the addon (unix_diag.c): unix sockets of one network namespace by sock_diag. */
#ifndef BULKHEAD_UNIX_DIAG_H
#define BULKHEAD_UNIX_DIAG_H
#include <node_api.h>

napi_value bh_unix_sockets(napi_env env, napi_callback_info info);

#endif
