/* The gVisor trace stage's part of the addon (seqpacket.c): SOCK_SEQPACKET sockets for runsc's remote trace sink. */
#ifndef BULKHEAD_SEQPACKET_H
#define BULKHEAD_SEQPACKET_H
#include <node_api.h>

napi_value bh_seqpacket_listen(napi_env env, napi_callback_info info);
napi_value bh_seqpacket_accept(napi_env env, napi_callback_info info);
napi_value bh_seqpacket_recv(napi_env env, napi_callback_info info);
napi_value bh_seqpacket_send(napi_env env, napi_callback_info info);
napi_value bh_seqpacket_connect(napi_env env, napi_callback_info info);

#endif
