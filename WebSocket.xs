/*
 * WebSocket.xs: thin glue between Perl and the Rust engine's C ABI (rust/include/websocket.h).
 *
 * Rules: byte strings come in through SvPVbyte (a wide character croaks); the engine is
 * called, and only after it has returned do we croak or build Perl values; the engine never
 * calls Perl. Handles are blessed references checked against their class by the typemap.
 */
#define PERL_NO_GET_CONTEXT
#include "EXTERN.h"
#include "perl.h"
#include "XSUB.h"

#include "rust/include/websocket.h"

/* Whether sv is a reference to an object of exactly the class whose stash is cached in
 * *cache (looked up on first use): the typemap's fast path before sv_derived_from, which
 * every engine call would otherwise pay for. In another interpreter the cached stash simply
 * does not match, and sv_derived_from decides. */
static int
wsx_is_exactly(pTHX_ SV *sv, HV **cache, const char *class_name)
{
    SV *obj;
    if (!SvROK(sv))
        return 0;
    obj = SvRV(sv);
    if (!SvOBJECT(obj))
        return 0;
    if (!*cache)
        *cache = gv_stashpv(class_name, 0);
    return *cache && SvSTASH(obj) == *cache;
}

static HV *wsx_reactor_stash;

typedef struct {
    ws_assembler *h;
    SV *error;      /* [ engine_code, close_code, message ] of the last failure, or NULL */
} wsx_assembler;

static SV *wsx_error_av(pTHX);

typedef struct {
    ws_connection *h;
    SV *error;      /* [ engine_code, close_code, message ] of the last failure, or NULL */
} wsx_connection;

static void
wsx_conn_clear_error(pTHX_ wsx_connection *c)
{
    if (c->error) {
        SvREFCNT_dec(c->error);
        c->error = NULL;
    }
}

/* Record the engine's last error on the connection; returns undef for the caller. */
static SV *
wsx_conn_fail(pTHX_ wsx_connection *c)
{
    wsx_conn_clear_error(aTHX_ c);
    c->error = wsx_error_av(aTHX);
    return &PL_sv_undef;
}

static const char *wsx_event_names[] = { "", "text", "binary", "ping", "pong", "close", "error" };
static const char *wsx_state_names[] = { "open", "closing", "closed" };

/* The last engine error of this thread as (code, close code, HTTP status, message). */
static SV *
wsx_last_error_message(pTHX_ uint32_t *code, uint16_t *close_code, uint16_t *status)
{
    char small[256];
    size_t n = ws_last_error(code, close_code, status, (uint8_t *)small, sizeof(small));
    if (n < sizeof(small))
        return newSVpvn(small, n);
    {
        SV *sv = newSV(n + 1);
        ws_last_error(code, close_code, status, (uint8_t *)SvPVX(sv), n + 1);
        SvPOK_on(sv);
        SvCUR_set(sv, n);
        return sv;
    }
}

/* Croak with the engine's message for a failed call (used for programming errors only). */
static void
wsx_croak_last(pTHX_ const char *what)
{
    uint32_t code = 0; uint16_t cc = 0, st = 0;
    SV *msg = sv_2mortal(wsx_last_error_message(aTHX_ &code, &cc, &st));
    croak("%s: %" SVf, what, SVfARG(msg));
}

/* [ engine_code, close_code, message ] for the last error. */
static SV *
wsx_error_av(pTHX)
{
    uint32_t code = 0; uint16_t cc = 0, st = 0;
    SV *msg = wsx_last_error_message(aTHX_ &code, &cc, &st);
    AV *av = newAV();
    av_push(av, newSVuv(code));
    av_push(av, newSVuv(cc ? cc : st));
    av_push(av, msg);
    return newRV_noinc((SV *)av);
}

/* The bytes of a Perl string (undef reads as empty). Get-magic runs first, once, so tied
 * values and lvalues such as substr(...) passed as arguments are read correctly. */
static const uint8_t *
wsx_bytes(pTHX_ SV *sv, STRLEN *len)
{
    SvGETMAGIC(sv);
    if (!SvOK(sv)) {
        *len = 0;
        return (const uint8_t *)"";
    }
    return (const uint8_t *)SvPVbyte_nomg(sv, *len);
}

/* As wsx_bytes, but NULL for undef (optional arguments such as a mask). */
static const uint8_t *
wsx_bytes_opt(pTHX_ SV *sv, STRLEN *len)
{
    SvGETMAGIC(sv);
    if (!SvOK(sv)) {
        *len = 0;
        return NULL;
    }
    return (const uint8_t *)SvPVbyte_nomg(sv, *len);
}


/* A TLS version restriction ('1.2' or '1.3', 'TLSv1.2'...) as WS_TLS_VERSION_* flags. */
static uint32_t
wsx_r_tls_version(pTHX_ const char *func, SV *sv)
{
    const char *v = SvPV_nolen(sv);
    if (strnEQ(v, "TLSv", 4))
        v += 4;
    if (strEQ(v, "1.2"))
        return WS_TLS_VERSION_1_2_ONLY;
    if (strEQ(v, "1.3"))
        return WS_TLS_VERSION_1_3_ONLY;
    croak("%s: the TLS version must be 1.2 or 1.3, not '%s'", func, SvPV_nolen(sv));
    return 0;
}

/* The reactor's current event as an array [ name, id, fields... ] (see WebSocket::Loop). */
#define WSX_R_PV(p, l) ((l) ? newSVpvn((const char *)(p), (l)) : newSVpvs(""))
#define WSX_R_PV_OPT(p, l) ((p) ? WSX_R_PV((p), (l)) : newSV(0))

static const char *wsx_reactor_event_names[] = { "", "accept", "request", "open", "text", "binary",
    "ping", "pong", "close", "error", "closed", "drain", "readable", "writable", "timer" };
static const STRLEN wsx_reactor_event_name_len[] = { 0, 6, 7, 4, 4, 6, 4, 4, 5, 5, 6, 5, 8, 8, 5 };

static AV *
wsx_reactor_event_av(pTHX_ ws_reactor *self, uint8_t kind, uint64_t id, uint64_t id2, uint32_t code,
    const uint8_t *d, size_t l, const uint8_t *d2, size_t l2)
{
    AV *av;
    av = newAV();
    av_extend(av, 4);
    /* The event's name as a shared string: no copy of it per event. */
    av_push(av, newSVpvn_share(wsx_reactor_event_names[kind], (I32)wsx_reactor_event_name_len[kind], 0));
    av_push(av, newSVuv(id));
    switch (kind) {
    case WS_REACTOR_EVENT_ACCEPT:
        av_push(av, newSVuv(id2));
        av_push(av, WSX_R_PV(d, l));
        av_push(av, newSVuv(code));
        break;
    case WS_REACTOR_EVENT_REQUEST: {
        HV *hv = newHV();
        AV *hdrs = newAV(), *protos = newAV();
        size_t j, n;
        const uint8_t *p, *v;
        size_t pl, vl;
        static const struct { const char *key; uint8_t field; } fields[] = {
            { "method", WS_REQUEST_METHOD }, { "uri", WS_REQUEST_TARGET },
            { "protocol", WS_REQUEST_HTTP_VERSION }, { "host", WS_REQUEST_HOST },
            { "key", WS_REQUEST_KEY }, { "version", WS_REQUEST_VERSION },
            { "origin", WS_REQUEST_ORIGIN }, { "extensions", WS_REQUEST_EXTENSIONS } };
        for (j = 0; j < sizeof(fields) / sizeof(fields[0]); j++) {
            p = NULL; pl = 0;
            if (ws_reactor_event_field(self, fields[j].field, &p, &pl) == WS_OK)
                (void)hv_store(hv, fields[j].key, strlen(fields[j].key), WSX_R_PV_OPT(p, pl), 0);
        }
        n = ws_reactor_event_header_count(self);
        av_extend(hdrs, n * 2);
        for (j = 0; j < n; j++) {
            if (ws_reactor_event_header(self, j, &p, &pl, &v, &vl) == WS_OK) {
                av_push(hdrs, WSX_R_PV(p, pl));
                av_push(hdrs, WSX_R_PV(v, vl));
            }
        }
        (void)hv_stores(hv, "headers", newRV_noinc((SV *)hdrs));
        n = ws_reactor_event_protocol_count(self);
        for (j = 0; j < n; j++) {
            if (ws_reactor_event_protocol(self, j, &p, &pl) == WS_OK)
                av_push(protos, WSX_R_PV(p, pl));
        }
        (void)hv_stores(hv, "protocols", newRV_noinc((SV *)protos));
        av_push(av, newRV_noinc((SV *)hv));
        break;
    }
    case WS_REACTOR_EVENT_OPEN: {
        AV *hdrs = newAV();
        size_t j, n = ws_reactor_event_header_count(self);
        av_push(av, WSX_R_PV_OPT(d, l));
        av_push(av, WSX_R_PV_OPT(d2, l2));
        for (j = 0; j < n; j++) {
            const uint8_t *p, *v;
            size_t pl, vl;
            if (ws_reactor_event_header(self, j, &p, &pl, &v, &vl) == WS_OK) {
                av_push(hdrs, WSX_R_PV(p, pl));
                av_push(hdrs, WSX_R_PV(v, vl));
            }
        }
        av_push(av, newRV_noinc((SV *)hdrs));
        break;
    }
    case WS_REACTOR_EVENT_TEXT:
    case WS_REACTOR_EVENT_BINARY:
    case WS_REACTOR_EVENT_PING:
    case WS_REACTOR_EVENT_PONG:
        av_push(av, WSX_R_PV(d, l));
        break;
    case WS_REACTOR_EVENT_CLOSE:
    case WS_REACTOR_EVENT_ERROR:
    case WS_REACTOR_EVENT_CLOSED:
        av_push(av, newSVuv(code));
        av_push(av, WSX_R_PV(d, l));
        break;
    default:
        break;
    }
    return av;
}

MODULE = WebSocket    PACKAGE = WebSocket::Engine

PROTOTYPES: DISABLE

SV *
version()
    CODE:
        RETVAL = newSVpv(ws_version(), 0);
    OUTPUT:
        RETVAL

SV *
accept_key(key)
        SV *key
    PREINIT:
        STRLEN len;
        const uint8_t *p;
        char out[WS_ACCEPT_KEY_LEN];
    CODE:
        p = wsx_bytes(aTHX_ key, &len);
        if (ws_accept_key(p, len, (uint8_t *)out) != WS_OK)
            wsx_croak_last(aTHX_ "accept_key");
        RETVAL = newSVpvn(out, WS_ACCEPT_KEY_LEN);
    OUTPUT:
        RETVAL

SV *
generate_key()
    PREINIT:
        char out[WS_KEY_LEN];
    CODE:
        if (ws_generate_key((uint8_t *)out) != WS_OK)
            wsx_croak_last(aTHX_ "generate_key");
        RETVAL = newSVpvn(out, WS_KEY_LEN);
    OUTPUT:
        RETVAL

SV *
random_bytes(n)
        UV n
    CODE:
        if (n > 1048576)
            croak("random_bytes: at most 1048576 bytes at a time");
        RETVAL = newSV(n + 1);
        SvPOK_on(RETVAL);
        if (ws_random_bytes((uint8_t *)SvPVX(RETVAL), n) != WS_OK) {
            SvREFCNT_dec(RETVAL);
            wsx_croak_last(aTHX_ "random_bytes");
        }
        SvCUR_set(RETVAL, n);
        *SvEND(RETVAL) = '\0';
    OUTPUT:
        RETVAL

SV *
random_mask()
    PREINIT:
        char out[4];
    CODE:
        if (ws_random_mask((uint8_t *)out) != WS_OK)
            wsx_croak_last(aTHX_ "random_mask");
        RETVAL = newSVpvn(out, 4);
    OUTPUT:
        RETVAL

SV *
mask(data, mask, offset = 0)
        SV *data
        SV *mask
        UV offset
    PREINIT:
        STRLEN len, mlen;
        const uint8_t *p, *m;
    CODE:
        p = wsx_bytes(aTHX_ data, &len);
        m = wsx_bytes(aTHX_ mask, &mlen);
        if (mlen != 4)
            croak("mask: the mask must be 4 bytes, got %d", (int)mlen);
        RETVAL = newSVpvn((const char *)p, len);
        if (ws_mask((uint8_t *)SvPVX(RETVAL), len, m, offset) != WS_OK) {
            SvREFCNT_dec(RETVAL);
            wsx_croak_last(aTHX_ "mask");
        }
    OUTPUT:
        RETVAL

bool
utf8_valid(data)
        SV *data
    PREINIT:
        STRLEN len;
        const uint8_t *p;
    CODE:
        p = wsx_bytes(aTHX_ data, &len);
        RETVAL = ws_utf8_valid(p, len);
    OUTPUT:
        RETVAL

SV *
encode_frame(opcode, fin, rsv, masked, mask, payload)
        UV opcode
        bool fin
        UV rsv
        bool masked
        SV *mask
        SV *payload
    PREINIT:
        STRLEN len, mlen = 0;
        const uint8_t *p, *m = NULL;
        size_t written = 0;
        uint64_t need;
    CODE:
        if (opcode > 15)
            croak("encode_frame: opcode must be 0 to 15, got %" UVuf, opcode);
        if (rsv > 7)
            croak("encode_frame: rsv must be 0 to 7, got %" UVuf, rsv);
        if (masked && (m = wsx_bytes_opt(aTHX_ mask, &mlen))) {
            if (mlen != 4)
                croak("encode_frame: the mask must be 4 bytes, got %d", (int)mlen);
        }
        p = wsx_bytes(aTHX_ payload, &len);
        need = ws_frame_encoded_len(len, masked);
        RETVAL = newSV(need + 1);
        SvPOK_on(RETVAL);
        if (ws_frame_encode((uint8_t)opcode, fin, (uint8_t)rsv, masked, m, p, len,
                            (uint8_t *)SvPVX(RETVAL), need, &written) != WS_OK) {
            SvREFCNT_dec(RETVAL);
            wsx_croak_last(aTHX_ "encode_frame");
        }
        SvCUR_set(RETVAL, written);
        *SvEND(RETVAL) = '\0';
    OUTPUT:
        RETVAL

SV *
encode_legacy_frame(is_close, payload)
        bool is_close
        SV *payload
    PREINIT:
        STRLEN len;
        const uint8_t *p;
        size_t written = 0;
    CODE:
        p = wsx_bytes(aTHX_ payload, &len);
        RETVAL = newSV(len + 3);
        SvPOK_on(RETVAL);
        if (ws_frame_encode_legacy(is_close, p, len, (uint8_t *)SvPVX(RETVAL), len + 2, &written) != WS_OK) {
            SvREFCNT_dec(RETVAL);
            wsx_croak_last(aTHX_ "encode_legacy_frame");
        }
        SvCUR_set(RETVAL, written);
        *SvEND(RETVAL) = '\0';
    OUTPUT:
        RETVAL

void
parse_http_head(buffer, max_line_length = 0, max_headers = 0, max_head_size = 0)
        SV *buffer
        UV max_line_length
        UV max_headers
        UV max_head_size
    PREINIT:
        STRLEN len;
        const uint8_t *p;
        ws_http_head *head = NULL;
        size_t consumed = 0;
        ws_result rc;
    PPCODE:
        p = wsx_bytes(aTHX_ buffer, &len);
        rc = ws_http_parse(p, len, max_line_length, max_headers, max_head_size, &head, &consumed);
        if (rc == WS_NEED_MORE)
            XSRETURN_EMPTY;
        if (rc != WS_OK) {
            uint32_t code = 0; uint16_t cc = 0, st = 0;
            SV *msg = wsx_last_error_message(aTHX_ &code, &cc, &st);
            EXTEND(SP, 4);
            mPUSHi(-1);
            mPUSHs(msg);
            mPUSHu(st ? st : 400);
            mPUSHu(code);
            XSRETURN(4);
        }
        {
            HV *hv = newHV();
            AV *hdrs = newAV();
            size_t i, n = ws_http_head_header_count(head);
            const uint8_t *part_ptr; size_t part_len;
            bool is_req = ws_http_head_is_request(head);
            static const char *req_keys[3] = { "method", "uri", "protocol" };
            static const char *res_keys[3] = { "protocol", "code", "status" };
            int part;
            for (part = 0; part < 3; part++) {
                if (ws_http_head_start(head, part, &part_ptr, &part_len) == WS_OK) {
                    const char *k = is_req ? req_keys[part] : res_keys[part];
                    if (!is_req && part == 1)
                        (void)hv_store(hv, k, strlen(k), newSVuv((UV)atoi(SvPV_nolen(sv_2mortal(newSVpvn((const char *)part_ptr, part_len))))), 0);
                    else
                        (void)hv_store(hv, k, strlen(k), newSVpvn((const char *)part_ptr, part_len), 0);
                }
            }
            (void)hv_stores(hv, "type", newSVpv(is_req ? "request" : "response", 0));
            av_extend(hdrs, n * 2);
            for (i = 0; i < n; i++) {
                const uint8_t *np, *vp; size_t nl, vl;
                if (ws_http_head_header(head, i, &np, &nl, &vp, &vl) == WS_OK) {
                    av_push(hdrs, newSVpvn((const char *)np, nl));
                    av_push(hdrs, newSVpvn((const char *)vp, vl));
                }
            }
            (void)hv_stores(hv, "headers", newRV_noinc((SV *)hdrs));
            ws_http_head_free(head);
            EXTEND(SP, 2);
            mPUSHu(consumed);
            mPUSHs(newRV_noinc((SV *)hv));
            XSRETURN(2);
        }

MODULE = WebSocket    PACKAGE = WebSocket::Engine::Assembler

wsx_assembler *
new(klass, max_payload_size = 65536, max_fragments = 128, legacy = false)
        SV *klass
        UV max_payload_size
        UV max_fragments
        bool legacy
    CODE:
        PERL_UNUSED_VAR(klass);
        Newxz(RETVAL, 1, wsx_assembler);
        RETVAL->h = ws_assembler_new(max_payload_size, max_fragments, legacy);
        if (!RETVAL->h) {
            Safefree(RETVAL);
            croak("WebSocket::Engine::Assembler->new: the engine could not create the assembler");
        }
    OUTPUT:
        RETVAL

void
append(self, data)
        wsx_assembler *self
        SV *data
    PREINIT:
        STRLEN len;
        const uint8_t *p;
    CODE:
        p = wsx_bytes(aTHX_ data, &len);
        if (ws_assembler_append(self->h, p, len) != WS_OK)
            wsx_croak_last(aTHX_ "WebSocket::Engine::Assembler::append");

SV *
next(self)
        wsx_assembler *self
    PREINIT:
        uint8_t opcode = 0, rsv = 0;
        bool fin = false, masked = false;
        const uint8_t *payload = NULL;
        size_t plen = 0;
        ws_result rc;
    CODE:
        if (self->error) {
            SvREFCNT_dec(self->error);
            self->error = NULL;
        }
        rc = ws_assembler_next(self->h, &opcode, &fin, &rsv, &masked, &payload, &plen);
        if (rc == WS_OK) {
            AV *av = newAV();
            av_extend(av, 4);
            av_push(av, newSVuv(opcode));
            av_push(av, newSViv(fin ? 1 : 0));
            av_push(av, newSVuv(rsv));
            av_push(av, newSViv(masked ? 1 : 0));
            av_push(av, newSVpvn((const char *)payload, plen));
            RETVAL = newRV_noinc((SV *)av);
        }
        else {
            if (rc != WS_NEED_MORE)
                self->error = wsx_error_av(aTHX);
            RETVAL = &PL_sv_undef;
        }
    OUTPUT:
        RETVAL

SV *
error(self)
        wsx_assembler *self
    CODE:
        RETVAL = self->error ? newSVsv(self->error) : &PL_sv_undef;
    OUTPUT:
        RETVAL

UV
buffered(self)
        wsx_assembler *self
    CODE:
        RETVAL = ws_assembler_buffered(self->h);
    OUTPUT:
        RETVAL

UV
pending_fragments(self)
        wsx_assembler *self
    CODE:
        RETVAL = ws_assembler_pending_fragments(self->h);
    OUTPUT:
        RETVAL

void
reset(self)
        wsx_assembler *self
    CODE:
        ws_assembler_reset(self->h);
        if (self->error) {
            SvREFCNT_dec(self->error);
            self->error = NULL;
        }

void
set_limits(self, max_payload_size, max_fragments)
        wsx_assembler *self
        UV max_payload_size
        UV max_fragments
    CODE:
        ws_assembler_set_limits(self->h, max_payload_size, max_fragments);

int
CLONE_SKIP(...)
    CODE:
        PERL_UNUSED_VAR(items);
        RETVAL = 1;
    OUTPUT:
        RETVAL

void
DESTROY(self)
        wsx_assembler *self
    CODE:
        ws_assembler_free(self->h);
        if (self->error)
            SvREFCNT_dec(self->error);
        Safefree(self);
        sv_setiv(SvRV(ST(0)), 0);

MODULE = WebSocket    PACKAGE = WebSocket::Engine::Connection

wsx_connection *
new(klass, role, ...)
        SV *klass
        const char *role
    PREINIT:
        ws_config *cfg;
        uint8_t r;
        int i;
    CODE:
        PERL_UNUSED_VAR(klass);
        if (strEQ(role, "client"))
            r = WS_ROLE_CLIENT;
        else if (strEQ(role, "server"))
            r = WS_ROLE_SERVER;
        else
            croak("WebSocket::Engine::Connection->new: role must be 'client' or 'server', not '%s'", role);
        if ((items - 2) % 2)
            croak("WebSocket::Engine::Connection->new: options come in name => value pairs");
        cfg = ws_config_new();
        for (i = 2; i < items; i += 2) {
            const char *k = SvPV_nolen(ST(i));
            SV *v = ST(i + 1);
            ws_result rc;
            if (strEQ(k, "max_message_size"))            rc = ws_config_set_max_message_size(cfg, SvUV(v));
            else if (strEQ(k, "max_fragments"))          rc = ws_config_set_max_fragments(cfg, SvUV(v));
            else if (strEQ(k, "max_send_size"))          rc = ws_config_set_max_send_size(cfg, SvUV(v));
            else if (strEQ(k, "max_line_length"))        rc = ws_config_set_max_line_length(cfg, SvUV(v));
            else if (strEQ(k, "max_headers"))            rc = ws_config_set_max_headers(cfg, SvUV(v));
            else if (strEQ(k, "max_head_size"))          rc = ws_config_set_max_head_size(cfg, SvUV(v));
            else if (strEQ(k, "accept_unmasked_frames")) rc = ws_config_set_accept_unmasked_frames(cfg, SvTRUE(v));
            else if (strEQ(k, "auto_pong"))              rc = ws_config_set_auto_pong(cfg, SvTRUE(v));
            else {
                ws_config_free(cfg);
                croak("WebSocket::Engine::Connection->new: unknown option '%s'", k);
            }
            PERL_UNUSED_VAR(rc);
        }
        Newxz(RETVAL, 1, wsx_connection);
        RETVAL->h = ws_connection_new(r, cfg);
        ws_config_free(cfg);
        if (!RETVAL->h) {
            Safefree(RETVAL);
            wsx_croak_last(aTHX_ "WebSocket::Engine::Connection->new");
        }
    OUTPUT:
        RETVAL

void
set_fixed_mask(self, mask)
        wsx_connection *self
        SV *mask
    PREINIT:
        STRLEN mlen = 0;
        const uint8_t *m = NULL;
    CODE:
        if ((m = wsx_bytes_opt(aTHX_ mask, &mlen))) {
            if (mlen != 4)
                croak("set_fixed_mask: the mask must be 4 bytes, got %d", (int)mlen);
        }
        ws_connection_set_fixed_mask(self->h, m);

void
receive(self, data)
        wsx_connection *self
        SV *data
    PREINIT:
        STRLEN len;
        const uint8_t *p;
    CODE:
        p = wsx_bytes(aTHX_ data, &len);
        if (ws_connection_receive(self->h, p, len) != WS_OK)
            wsx_croak_last(aTHX_ "WebSocket::Engine::Connection::receive");

void
receive_eof(self)
        wsx_connection *self
    CODE:
        ws_connection_receive_eof(self->h);

SV *
next_event(self)
        wsx_connection *self
    PREINIT:
        uint8_t kind = 0;
        uint16_t code = 0;
        const uint8_t *data = NULL;
        size_t len = 0;
    CODE:
        if (ws_connection_next_event(self->h, &kind, &code, &data, &len) == WS_OK && kind >= 1 && kind <= 6) {
            AV *av = newAV();
            av_extend(av, 2);
            av_push(av, newSVpv(wsx_event_names[kind], 0));
            av_push(av, newSVuv(code));
            av_push(av, newSVpvn((const char *)data, len));
            RETVAL = newRV_noinc((SV *)av);
        }
        else
            RETVAL = &PL_sv_undef;
    OUTPUT:
        RETVAL

SV *
send(self, opcode, fin, payload)
        wsx_connection *self
        UV opcode
        bool fin
        SV *payload
    PREINIT:
        STRLEN len;
        const uint8_t *p;
    CODE:
        p = wsx_bytes(aTHX_ payload, &len);
        wsx_conn_clear_error(aTHX_ self);
        if (opcode > 15 || ws_connection_send(self->h, (uint8_t)opcode, fin, p, len) != WS_OK)
            RETVAL = opcode > 15 ? (croak("send: opcode must be 0 to 15"), &PL_sv_undef) : wsx_conn_fail(aTHX_ self);
        else
            RETVAL = newSViv(1);
    OUTPUT:
        RETVAL

SV *
close(self, code = 0, reason = &PL_sv_undef)
        wsx_connection *self
        UV code
        SV *reason
    PREINIT:
        STRLEN len;
        const uint8_t *p;
    CODE:
        p = wsx_bytes(aTHX_ reason, &len);
        wsx_conn_clear_error(aTHX_ self);
        if (code > 65535 || ws_connection_close(self->h, (uint16_t)code, p, len) != WS_OK)
            RETVAL = code > 65535 ? (croak("close: code must be below 65536"), &PL_sv_undef) : wsx_conn_fail(aTHX_ self);
        else
            RETVAL = newSViv(1);
    OUTPUT:
        RETVAL

SV *
output(self)
        wsx_connection *self
    PREINIT:
        const uint8_t *p = NULL;
        size_t len = 0;
    CODE:
        ws_connection_output(self->h, &p, &len);
        RETVAL = newSVpvn((const char *)p, len);
    OUTPUT:
        RETVAL

void
consume_output(self, n)
        wsx_connection *self
        UV n
    CODE:
        ws_connection_consume_output(self->h, n);

SV *
take_output(self)
        wsx_connection *self
    PREINIT:
        const uint8_t *p = NULL;
        size_t len = 0;
    CODE:
        ws_connection_output(self->h, &p, &len);
        RETVAL = newSVpvn((const char *)p, len);
        ws_connection_consume_output(self->h, len);
    OUTPUT:
        RETVAL

const char *
state(self)
        wsx_connection *self
    PREINIT:
        uint8_t st;
    CODE:
        st = ws_connection_state(self->h);
        RETVAL = wsx_state_names[st <= 2 ? st : 2];
    OUTPUT:
        RETVAL

bool
should_close(self)
        wsx_connection *self
    CODE:
        RETVAL = ws_connection_should_close(self->h);
    OUTPUT:
        RETVAL

SV *
error(self)
        wsx_connection *self
    CODE:
        RETVAL = self->error ? newSVsv(self->error) : &PL_sv_undef;
    OUTPUT:
        RETVAL

int
CLONE_SKIP(...)
    CODE:
        PERL_UNUSED_VAR(items);
        RETVAL = 1;
    OUTPUT:
        RETVAL

void
DESTROY(self)
        wsx_connection *self
    CODE:
        ws_connection_free(self->h);
        wsx_conn_clear_error(aTHX_ self);
        Safefree(self);
        sv_setiv(SvRV(ST(0)), 0);

INCLUDE: xs/reactor.xsh
