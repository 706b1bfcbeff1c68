/* Drives the engine through its C ABI only, as a C program would (built and run by
 * rust/tests/c_abi.rs). Prints one line per check and exits non-zero on the first failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "websocket.h"

static int failures = 0;
#define CHECK(cond, what) do { if (cond) printf("ok - %s\n", what); \
    else { printf("not ok - %s (line %d)\n", what, __LINE__); failures++; } } while (0)

static void pump(ws_connection *from, ws_connection *to)
{
    const uint8_t *p; size_t n;
    if (ws_connection_output(from, &p, &n) == WS_OK && n > 0) {
        ws_connection_receive(to, p, n);
        ws_connection_consume_output(from, n);
    }
}

int main(void)
{
    char msg[256];
    uint32_t code = 0; uint16_t close_code = 0, status = 0;

    /* RFC 6455 section 4.2.2 */
    uint8_t accept[WS_ACCEPT_KEY_LEN];
    const char *key = "dGhlIHNhbXBsZSBub25jZQ==";
    CHECK(ws_accept_key((const uint8_t *)key, strlen(key), accept) == WS_OK, "accept key computed");
    CHECK(memcmp(accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WS_ACCEPT_KEY_LEN) == 0, "RFC 6455 4.2.2 accept value");

    /* RFC 6455 section 5.7: a masked "Hello" */
    const uint8_t mask[4] = { 0x37, 0xfa, 0x21, 0x3d };
    const uint8_t expect[] = { 0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58 };
    uint8_t frame[64]; size_t written = 0;
    CHECK(ws_frame_encoded_len(5, true) == sizeof(expect), "encoded length");
    CHECK(ws_frame_encode(1, true, 0, true, mask, (const uint8_t *)"Hello", 5, frame, sizeof(frame), &written) == WS_OK
          && written == sizeof(expect) && memcmp(frame, expect, written) == 0, "RFC 6455 5.7 masked Hello");

    /* the assembler: need more, then the message */
    ws_assembler *a = ws_assembler_new(65536, 128, false);
    uint8_t op = 0, rsv = 0; bool fin = false, masked = false; const uint8_t *pl = NULL; size_t plen = 0;
    ws_assembler_append(a, frame, 3);
    CHECK(ws_assembler_next(a, &op, &fin, &rsv, &masked, &pl, &plen) == WS_NEED_MORE, "partial frame: need more");
    CHECK(ws_assembler_buffered(a) == 3, "nothing consumed");
    ws_assembler_append(a, frame + 3, written - 3);
    CHECK(ws_assembler_next(a, &op, &fin, &rsv, &masked, &pl, &plen) == WS_OK && op == 1 && fin && masked
          && plen == 5 && memcmp(pl, "Hello", 5) == 0, "assembled and unmasked");
    ws_assembler_free(a);

    /* limits and the last error */
    a = ws_assembler_new(2, 0, false);
    ws_assembler_append(a, frame, written);
    ws_result rc = ws_assembler_next(a, &op, &fin, &rsv, &masked, &pl, &plen);
    CHECK(rc == 101, "payload over the limit: code 101");
    size_t mlen = ws_last_error(&code, &close_code, &status, (uint8_t *)msg, sizeof(msg));
    CHECK(mlen > 0 && code == 101 && close_code == 1009 && status == 0, "last error: code and close code 1009");
    CHECK(strcmp(msg, "Payload is too big. Deny big message (5) or increase max_payload_size (2)") == 0, "last error message");
    ws_assembler_free(a);

    /* NULL pointers are refused, not dereferenced */
    CHECK(ws_assembler_append(NULL, frame, 1) == WS_ERR_NULL_POINTER, "NULL handle refused");
    CHECK(ws_accept_key(NULL, 4, accept) == WS_ERR_NULL_POINTER, "NULL input refused");
    ws_assembler_free(NULL);
    ws_connection_free(NULL);

    /* HTTP head */
    const char *req = "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\n\r\nXX";
    ws_http_head *h = NULL; size_t used = 0;
    CHECK(ws_http_parse((const uint8_t *)req, 20, 0, 0, 0, &h, &used) == WS_NEED_MORE && h == NULL, "head incomplete");
    CHECK(ws_http_parse((const uint8_t *)req, strlen(req), 0, 0, 0, &h, &used) == WS_OK && used == strlen(req) - 2, "head parsed, leftover kept");
    CHECK(ws_http_head_is_request(h) && ws_http_head_header_count(h) == 2, "request with two headers");
    const uint8_t *np, *vp; size_t nl, vl;
    CHECK(ws_http_head_header(h, 0, &np, &nl, &vp, &vl) == WS_OK && nl == 4 && memcmp(vp, "server.example.com", vl) == 0, "header value");
    ws_http_head_free(h);
    rc = ws_http_parse((const uint8_t *)"BOGUS\r\n\r\n", 9, 0, 0, 0, &h, &used);
    ws_last_error(&code, &close_code, &status, (uint8_t *)msg, sizeof(msg));
    CHECK(rc == 205 && status == 400, "bad start line: HTTP 400");

    /* a client connection wired to a server connection */
    ws_config *cfg = ws_config_new();
    ws_config_set_max_message_size(cfg, 1 << 20);
    ws_connection *cl = ws_connection_new(WS_ROLE_CLIENT, cfg);
    ws_connection *sv = ws_connection_new(WS_ROLE_SERVER, cfg);
    ws_config_free(cfg);
    CHECK(cl && sv, "connections created");
    CHECK(ws_connection_new(7, NULL) == NULL, "bad role refused");
    CHECK(ws_connection_send(cl, 1, true, (const uint8_t *)"hi there", 8) == WS_OK, "client sends text");
    pump(cl, sv);
    uint8_t kind = 0; uint16_t evcode = 0; const uint8_t *ev = NULL; size_t evlen = 0;
    CHECK(ws_connection_next_event(sv, &kind, &evcode, &ev, &evlen) == WS_OK && kind == WS_EVENT_TEXT
          && evlen == 8 && memcmp(ev, "hi there", 8) == 0, "server receives the text");
    CHECK(ws_connection_next_event(sv, &kind, &evcode, &ev, &evlen) == WS_NEED_MORE, "no more events");
    CHECK(ws_connection_send(cl, 1, true, (const uint8_t *)"\xff", 1) == 114, "invalid UTF-8 text refused (114)");
    ws_connection_send(cl, 9, true, (const uint8_t *)"p", 1);
    pump(cl, sv);
    ws_connection_next_event(sv, &kind, &evcode, &ev, &evlen);
    CHECK(kind == WS_EVENT_PING, "ping received");
    pump(sv, cl);
    CHECK(ws_connection_next_event(cl, &kind, &evcode, &ev, &evlen) == WS_OK && kind == WS_EVENT_PONG && evlen == 1, "automatic pong");
    CHECK(ws_connection_close(cl, 1000, (const uint8_t *)"bye", 3) == WS_OK, "client closes");
    CHECK(ws_connection_state(cl) == WS_STATE_CLOSING, "client closing");
    pump(cl, sv);
    CHECK(ws_connection_next_event(sv, &kind, &evcode, &ev, &evlen) == WS_OK && kind == WS_EVENT_CLOSE
          && evcode == 1000 && evlen == 3 && memcmp(ev, "bye", 3) == 0, "server sees 1000 bye");
    pump(sv, cl);
    CHECK(ws_connection_state(sv) == WS_STATE_CLOSED && ws_connection_state(cl) == WS_STATE_CLOSED, "both closed");
    CHECK(ws_connection_should_close(sv), "server closes the TCP connection first");
    CHECK(ws_connection_send(cl, 2, true, (const uint8_t *)"x", 1) == 301, "send after close: invalid state");
    ws_connection_free(cl);
    ws_connection_free(sv);

    /* a protocol violation becomes an error event and a Close 1002 */
    sv = ws_connection_new(WS_ROLE_SERVER, NULL);
    const uint8_t rsv_frame[] = { 0xC1, 0x80, 0, 0, 0, 0 };   /* RSV1 without an extension */
    ws_connection_receive(sv, rsv_frame, sizeof(rsv_frame));
    CHECK(ws_connection_next_event(sv, &kind, &evcode, &ev, &evlen) == WS_OK && kind == WS_EVENT_ERROR && evcode == 1002, "RSV1: error event 1002");
    const uint8_t *out; size_t outlen;
    ws_connection_output(sv, &out, &outlen);
    CHECK(outlen >= 4 && out[0] == 0x88 && out[2] == 0x03 && out[3] == 0xEA, "Close 1002 queued");
    ws_connection_free(sv);

    /* permessage-deflate (RFC 7692) negotiated and used through the C ABI */
    ws_config *dc = ws_config_new();
    ws_config_set_deflate(dc, true);
    ws_config_set_deflate_threshold(dc, 0);
    CHECK(ws_config_set_deflate_client_max_window_bits(dc, 16) == 302, "window bits 16 refused");
    char offer[128], answer[128];
    size_t answer_len = 0;
    CHECK(ws_deflate_client_offer(dc, (uint8_t *)offer, sizeof(offer)) == strlen("permessage-deflate; client_max_window_bits")
          && strcmp(offer, "permessage-deflate; client_max_window_bits") == 0, "client offer");
    CHECK(ws_deflate_server_answer(dc, (const uint8_t *)offer, strlen(offer), (uint8_t *)answer, sizeof(answer), &answer_len) == WS_OK
          && answer_len == strlen("permessage-deflate") && strcmp(answer, "permessage-deflate") == 0, "server answer");
    cl = ws_connection_new(WS_ROLE_CLIENT, dc);
    sv = ws_connection_new(WS_ROLE_SERVER, dc);
    ws_connection_set_fixed_mask(cl, mask);
    CHECK(ws_connection_set_deflate(sv, (const uint8_t *)answer, answer_len) == WS_OK, "server deflate on");
    CHECK(ws_connection_set_deflate(cl, (const uint8_t *)"x, permessage-deflate; client_max_window_bits", 45) == 117,
          "client fails an invalid answer (117, close 1010)");
    ws_last_error(&code, &close_code, &status, (uint8_t *)msg, sizeof(msg));
    CHECK(close_code == 1010, "its close code is 1010");
    CHECK(ws_connection_set_deflate(cl, (const uint8_t *)answer, answer_len) == WS_OK, "client deflate on");
    CHECK(ws_connection_deflate(sv, (uint8_t *)msg, sizeof(msg)) == strlen("permessage-deflate"), "parameters in force");
    CHECK(ws_connection_send(sv, 1, true, (const uint8_t *)"Hello", 5) == WS_OK, "server sends compressed Hello");
    ws_connection_output(sv, &out, &outlen);
    const uint8_t hello_z[] = { 0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00 };
    CHECK(outlen == sizeof(hello_z) && memcmp(out, hello_z, outlen) == 0, "RFC 7692 7.2.3.1 bytes");
    pump(sv, cl);
    CHECK(ws_connection_next_event(cl, &kind, &evcode, &ev, &evlen) == WS_OK && kind == WS_EVENT_TEXT
          && evlen == 5 && memcmp(ev, "Hello", 5) == 0, "client inflates Hello");
    ws_connection_free(cl);
    ws_connection_free(sv);
    ws_config_free(dc);

    CHECK(strlen(ws_version()) > 0, "version string");
    printf("%d failed\n", failures);
    return failures ? 1 : 0;
}
