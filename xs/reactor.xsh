#
# xs/reactor.xsh: WebSocket::Engine::Reactor, the event loop (INCLUDEd at the end of
# WebSocket.xs). The object is a blessed reference to the ws_reactor pointer; the last failure
# of a call is kept by the engine on the reactor (ws_reactor_error) and read by ->error.
# Nothing here calls Perl code while the engine runs, and nothing croaks before it returned;
# dispatch calls Perl only between two engine calls, with nothing of the engine's borrowed.
#

MODULE = WebSocket    PACKAGE = WebSocket::Engine::Reactor

PROTOTYPES: DISABLE


# Seconds (a float; undef or negative is 0) to microseconds.
#define WSX_R_US(sv) wsx_r_us(SvOK(sv) ? SvNV_nomg(sv) : 0.0)
#define wsx_r_us(t) ((uint64_t)((t) <= 0 ? 0 : (t) >= 1.8e13 ? 1.8e19 : (t) * 1e6 + 0.5))

# The strings of an array reference (undef: none) as arrays of pointers and lengths held in
# mortal buffers; each element is read once with get-magic, as bytes.
#define WSX_R_LIST(func, what, sv, ptrs, lens, n) STMT_START { \
    SV *wsx_sv_ = (sv); \
    (n) = 0; (ptrs) = NULL; (lens) = NULL; \
    SvGETMAGIC(wsx_sv_); \
    if (SvOK(wsx_sv_)) { \
        AV *wsx_av_; SSize_t wsx_i_; \
        if (!SvROK(wsx_sv_) || SvTYPE(SvRV(wsx_sv_)) != SVt_PVAV) \
            croak("%s: %s must be an array reference", func, what); \
        wsx_av_ = (AV *)SvRV(wsx_sv_); \
        (n) = (size_t)(av_len(wsx_av_) + 1); \
        (ptrs) = (const uint8_t **)SvPVX(sv_2mortal(newSV((n) * sizeof(uint8_t *) + 1))); \
        (lens) = (size_t *)SvPVX(sv_2mortal(newSV((n) * sizeof(size_t) + 1))); \
        for (wsx_i_ = 0; wsx_i_ < (SSize_t)(n); wsx_i_++) { \
            SV **wsx_e_ = av_fetch(wsx_av_, wsx_i_, 0); \
            STRLEN wsx_l_; \
            (ptrs)[wsx_i_] = wsx_bytes(aTHX_ wsx_e_ ? *wsx_e_ : &PL_sv_undef, &wsx_l_); \
            (lens)[wsx_i_] = wsx_l_; \
        } \
    } \
} STMT_END

# Header pairs [ name => value, ... ]: as WSX_R_LIST, with the number of pairs in n.
#define WSX_R_PAIRS(func, sv, ptrs, lens, n) STMT_START { \
    WSX_R_LIST(func, "headers", sv, ptrs, lens, n); \
    if ((n) % 2) croak("%s: headers must be name => value pairs", func); \
    (n) /= 2; \
} STMT_END

# A file descriptor from a number or a Perl filehandle.
#define WSX_R_FD(sv, fd) STMT_START { \
    SvGETMAGIC(sv); \
    if (SvROK(sv) || isGV_with_GP(sv)) { \
        IO *wsx_io_ = sv_2io(sv); \
        (fd) = IoIFP(wsx_io_) ? PerlIO_fileno(IoIFP(wsx_io_)) : -1; \
    } \
    else \
        (fd) = (int)SvIV_nomg(sv); \
} STMT_END

# Map an option name to WS_REACTOR_OPT_* and its value (counts, booleans, seconds).
#define WSX_R_OPTION(func, key, v, opt, value) STMT_START { \
    const char *wsx_k_ = (key); \
    int wsx_kind_ = 0; \
    (opt) = 0; \
    if (strEQ(wsx_k_, "max_message_size")) (opt) = WS_REACTOR_OPT_MAX_MESSAGE_SIZE; \
    else if (strEQ(wsx_k_, "max_fragments")) (opt) = WS_REACTOR_OPT_MAX_FRAGMENTS; \
    else if (strEQ(wsx_k_, "max_send_size")) (opt) = WS_REACTOR_OPT_MAX_SEND_SIZE; \
    else if (strEQ(wsx_k_, "max_buffered")) (opt) = WS_REACTOR_OPT_MAX_BUFFERED; \
    else if (strEQ(wsx_k_, "max_line_length")) (opt) = WS_REACTOR_OPT_MAX_LINE_LENGTH; \
    else if (strEQ(wsx_k_, "max_headers")) (opt) = WS_REACTOR_OPT_MAX_HEADERS; \
    else if (strEQ(wsx_k_, "max_head_size")) (opt) = WS_REACTOR_OPT_MAX_HEAD_SIZE; \
    else if (strEQ(wsx_k_, "accept_unmasked_frames")) { (opt) = WS_REACTOR_OPT_ACCEPT_UNMASKED_FRAMES; wsx_kind_ = 1; } \
    else if (strEQ(wsx_k_, "auto_pong")) { (opt) = WS_REACTOR_OPT_AUTO_PONG; wsx_kind_ = 1; } \
    else if (strEQ(wsx_k_, "nodelay")) { (opt) = WS_REACTOR_OPT_NODELAY; wsx_kind_ = 1; } \
    else if (strEQ(wsx_k_, "handshake_timeout")) { (opt) = WS_REACTOR_OPT_HANDSHAKE_TIMEOUT; wsx_kind_ = 2; } \
    else if (strEQ(wsx_k_, "close_timeout")) { (opt) = WS_REACTOR_OPT_CLOSE_TIMEOUT; wsx_kind_ = 2; } \
    else if (strEQ(wsx_k_, "ping_interval")) { (opt) = WS_REACTOR_OPT_PING_INTERVAL; wsx_kind_ = 2; } \
    else if (strEQ(wsx_k_, "pong_timeout")) { (opt) = WS_REACTOR_OPT_PONG_TIMEOUT; wsx_kind_ = 2; } \
    else if (strEQ(wsx_k_, "deflate")) { (opt) = WS_REACTOR_OPT_DEFLATE; wsx_kind_ = 1; } \
    else if (strEQ(wsx_k_, "deflate_server_no_context_takeover")) { (opt) = WS_REACTOR_OPT_DEFLATE_SERVER_NO_CONTEXT_TAKEOVER; wsx_kind_ = 1; } \
    else if (strEQ(wsx_k_, "deflate_client_no_context_takeover")) { (opt) = WS_REACTOR_OPT_DEFLATE_CLIENT_NO_CONTEXT_TAKEOVER; wsx_kind_ = 1; } \
    else if (strEQ(wsx_k_, "deflate_server_max_window_bits")) (opt) = WS_REACTOR_OPT_DEFLATE_SERVER_MAX_WINDOW_BITS; \
    else if (strEQ(wsx_k_, "deflate_client_max_window_bits")) (opt) = WS_REACTOR_OPT_DEFLATE_CLIENT_MAX_WINDOW_BITS; \
    else if (strEQ(wsx_k_, "deflate_threshold")) (opt) = WS_REACTOR_OPT_DEFLATE_THRESHOLD; \
    else if (strEQ(wsx_k_, "deflate_required")) { (opt) = WS_REACTOR_OPT_DEFLATE_REQUIRED; wsx_kind_ = 1; } \
    if ((opt) && wsx_kind_ == 0) { \
        SvGETMAGIC(v); \
        if (SvOK(v) && SvNV_nomg(v) < 0) croak("%s: %s must not be negative", func, wsx_k_); \
        (value) = SvOK(v) ? (uint64_t)SvUV_nomg(v) : 0; \
    } \
    else if ((opt) && wsx_kind_ == 1) (value) = SvTRUE(v) ? 1 : 0; \
    else if (opt) { SvGETMAGIC(v); (value) = WSX_R_US(v); } \
} STMT_END

ws_reactor *
new(klass, ...)
        SV *klass
    PREINIT:
        ws_reactor *r = NULL;
        int i;
    CODE:
        PERL_UNUSED_VAR(klass);
        if ((items - 1) % 2)
            croak("WebSocket::Engine::Reactor->new: options come in name => value pairs");
        if (ws_reactor_new(&r) != WS_OK) {
            char msg[256];
            ws_reactor_last_error(NULL, NULL, (uint8_t *)msg, sizeof(msg));
            croak("WebSocket::Engine::Reactor->new: %s", msg);
        }
        for (i = 1; i < items; i += 2) {
            const char *k = SvPV_nolen(ST(i));
            uint32_t opt;
            uint64_t value = 0;
            WSX_R_OPTION("WebSocket::Engine::Reactor->new", k, ST(i + 1), opt, value);
            if (!opt) {
                ws_reactor_free(r);
                croak("WebSocket::Engine::Reactor->new: unknown option '%s'", k);
            }
            if (ws_reactor_set_option(r, 0, opt, value) != WS_OK) {
                char msg[256];
                ws_reactor_error(r, NULL, NULL, (uint8_t *)msg, sizeof(msg));
                ws_reactor_free(r);
                croak("WebSocket::Engine::Reactor->new: %s: %s", k, msg);
            }
        }
        RETVAL = r;
    OUTPUT:
        RETVAL

SV *
error(self)
        ws_reactor *self
    PREINIT:
        uint32_t code = 0, detail = 0;
        char small[256];
        size_t n;
        SV *msg;
        AV *av;
    CODE:
        n = ws_reactor_error(self, &code, &detail, (uint8_t *)small, sizeof(small));
        if (!n && !code)
            XSRETURN_UNDEF;
        if (n < sizeof(small))
            msg = newSVpvn(small, n);
        else {
            msg = newSV(n + 1);
            ws_reactor_error(self, NULL, NULL, (uint8_t *)SvPVX(msg), n + 1);
            SvPOK_on(msg);
            SvCUR_set(msg, n);
        }
        av = newAV();
        av_push(av, newSVuv(code));
        av_push(av, newSVuv(detail));
        av_push(av, msg);
        RETVAL = newRV_noinc((SV *)av);
    OUTPUT:
        RETVAL

void
listen(self, host, port, backlog = 0)
        ws_reactor *self
        SV *host
        UV port
        IV backlog
    PREINIT:
        STRLEN hl;
        const uint8_t *h;
        uint64_t id = 0;
        uint16_t bound = 0;
    PPCODE:
        h = wsx_bytes(aTHX_ host, &hl);
        if (port > 65535)
            croak("WebSocket::Engine::Reactor::listen: port must be 0 to 65535");
        if (ws_reactor_listen(self, h, hl, (uint16_t)port, (int32_t)backlog, &id, &bound) != WS_OK)
            XSRETURN_UNDEF;
        EXTEND(SP, 2);
        mPUSHu(id);
        mPUSHu(bound);
        XSRETURN(2);

SV *
listen_fd(self, fd)
        ws_reactor *self
        SV *fd
    PREINIT:
        int n;
        uint64_t id = 0;
    CODE:
        WSX_R_FD(fd, n);
        RETVAL = ws_reactor_listen_fd(self, n, &id) == WS_OK ? newSVuv(id) : &PL_sv_undef;
    OUTPUT:
        RETVAL

SV *
unlisten(self, id)
        ws_reactor *self
        UV id
    CODE:
        RETVAL = ws_reactor_unlisten(self, id) == WS_OK ? newSViv(1) : &PL_sv_undef;
    OUTPUT:
        RETVAL

SV *
connect(self, host, port, opts = &PL_sv_undef)
        ws_reactor *self
        SV *host
        UV port
        SV *opts
    PREINIT:
        static const char *func = "WebSocket::Engine::Reactor::connect";
        STRLEN hl, pl = 0, hhl = 0, ol = 0, el = 0;
        const uint8_t *h, *path = NULL, *hh = NULL, *origin = NULL, *ext = NULL;
        const uint8_t **protos = NULL, **hdrs = NULL;
        size_t *proto_lens = NULL, *hdr_lens = NULL, n_protos = 0, n_hdrs = 0;
        uint64_t id = 0;
        HV *hv = NULL, *tls = NULL;
        SV **svp;
        const uint8_t *sni = NULL, *ca = NULL;
        STRLEN snil = 0, cal = 0;
        uint32_t tls_flags = 0;
        ws_result rc;
    CODE:
        h = wsx_bytes(aTHX_ host, &hl);
        if (port > 65535)
            croak("%s: port must be 0 to 65535", func);
        SvGETMAGIC(opts);
        if (SvOK(opts)) {
            if (!SvROK(opts) || SvTYPE(SvRV(opts)) != SVt_PVHV)
                croak("%s: the options must be a hash reference", func);
            hv = (HV *)SvRV(opts);
        }
        if (hv) {
            if ((svp = hv_fetchs(hv, "path", 0)))
                path = wsx_bytes(aTHX_ *svp, &pl);
            if ((svp = hv_fetchs(hv, "host_header", 0)))
                hh = wsx_bytes_opt(aTHX_ *svp, &hhl);
            if ((svp = hv_fetchs(hv, "origin", 0)))
                origin = wsx_bytes_opt(aTHX_ *svp, &ol);
            if ((svp = hv_fetchs(hv, "extensions", 0)))
                ext = wsx_bytes_opt(aTHX_ *svp, &el);
            if ((svp = hv_fetchs(hv, "protocols", 0)))
                WSX_R_LIST(func, "protocols", *svp, protos, proto_lens, n_protos);
            if ((svp = hv_fetchs(hv, "headers", 0)))
                WSX_R_PAIRS(func, *svp, hdrs, hdr_lens, n_hdrs);
            /* tls => { server_name, ca_pem, verify (default true), version ('1.2' or '1.3') } */
            if ((svp = hv_fetchs(hv, "tls", 0)) && SvOK(*svp)) {
                if (!SvROK(*svp) || SvTYPE(SvRV(*svp)) != SVt_PVHV)
                    croak("%s: tls must be a hash reference", func);
                tls = (HV *)SvRV(*svp);
                if ((svp = hv_fetchs(tls, "server_name", 0)))
                    sni = wsx_bytes_opt(aTHX_ *svp, &snil);
                if ((svp = hv_fetchs(tls, "ca_pem", 0)))
                    ca = wsx_bytes_opt(aTHX_ *svp, &cal);
                if ((svp = hv_fetchs(tls, "verify", 0)) && SvOK(*svp) && !SvTRUE(*svp))
                    tls_flags |= WS_TLS_DANGEROUS_NO_VERIFY;
                if ((svp = hv_fetchs(tls, "version", 0)) && SvOK(*svp))
                    tls_flags |= wsx_r_tls_version(aTHX_ func, *svp);
            }
        }
        if (tls)
            rc = ws_reactor_connect_tls(self, h, hl, (uint16_t)port, path, pl, hh, hhl, origin, ol,
                                        protos, proto_lens, n_protos, ext, el, hdrs, hdr_lens, n_hdrs,
                                        sni, snil, ca, cal, tls_flags, &id);
        else
            rc = ws_reactor_connect(self, h, hl, (uint16_t)port, path, pl, hh, hhl, origin, ol,
                                    protos, proto_lens, n_protos, ext, el, hdrs, hdr_lens, n_hdrs, &id);
        if (rc == WS_OK)
            RETVAL = newSVuv(id);
        else
            RETVAL = &PL_sv_undef;
    OUTPUT:
        RETVAL

# TLS for the connections listener lid accepts from now on: the certificate chain and the key
# as PEM text; both undef: plain TCP again. version: '1.2' or '1.3' only (default both).
SV *
listener_tls(self, lid, cert_pem, key_pem, version = &PL_sv_undef)
        ws_reactor *self
        UV lid
        SV *cert_pem
        SV *key_pem
        SV *version
    PREINIT:
        STRLEN cl = 0, kl = 0;
        const uint8_t *c, *k;
        uint32_t flags = 0;
    CODE:
        c = wsx_bytes_opt(aTHX_ cert_pem, &cl);
        k = wsx_bytes_opt(aTHX_ key_pem, &kl);
        SvGETMAGIC(version);
        if (SvOK(version))
            flags = wsx_r_tls_version(aTHX_ "WebSocket::Engine::Reactor::listener_tls", version);
        RETVAL = ws_reactor_listener_tls(self, lid, c, cl, k, kl, flags) == WS_OK ? newSViv(1) : &PL_sv_undef;
    OUTPUT:
        RETVAL

# What a TLS connection negotiated: ( 'TLSv1.3' or 'TLSv1.2', the ALPN protocol or undef,
# the cipher suite's IANA name such as 'TLS_AES_256_GCM_SHA384', or '0x' and four hex
# digits for a code without a name ); the empty list for a plain connection or before its
# TLS handshake completed.
void
tls_info(self, cid)
        ws_reactor *self
        UV cid
    PREINIT:
        uint16_t version = 0, suite = 0;
        const uint8_t *alpn = NULL;
        size_t alpn_len = 0;
        const char *suite_name;
    PPCODE:
        if (ws_reactor_tls_info(self, cid, &version, &alpn, &alpn_len, &suite) != WS_OK)
            XSRETURN_EMPTY;
        suite_name = ws_tls_cipher_suite_name(suite);
        EXTEND(SP, 3);
        mPUSHs(version == 0x0304 ? newSVpvs("TLSv1.3") : version == 0x0303 ? newSVpvs("TLSv1.2") : newSVpvf("0x%04x", (unsigned)version));
        mPUSHs(alpn ? newSVpvn((const char *)alpn, alpn_len) : newSV(0));
        mPUSHs(suite_name ? newSVpv(suite_name, 0) : newSVpvf("0x%04X", (unsigned)suite));
        XSRETURN(3);

SV *
accept(self, cid, opts = &PL_sv_undef)
        ws_reactor *self
        UV cid
        SV *opts
    PREINIT:
        static const char *func = "WebSocket::Engine::Reactor::accept";
        STRLEN pl = 0, el = 0;
        const uint8_t *proto = NULL, *ext = NULL, **hdrs = NULL;
        size_t *hdr_lens = NULL, n_hdrs = 0;
        HV *hv = NULL;
        SV **svp;
    CODE:
        SvGETMAGIC(opts);
        if (SvOK(opts)) {
            if (!SvROK(opts) || SvTYPE(SvRV(opts)) != SVt_PVHV)
                croak("%s: the options must be a hash reference", func);
            hv = (HV *)SvRV(opts);
        }
        if (hv) {
            if ((svp = hv_fetchs(hv, "protocol", 0)))
                proto = wsx_bytes_opt(aTHX_ *svp, &pl);
            if ((svp = hv_fetchs(hv, "extensions", 0)))
                ext = wsx_bytes_opt(aTHX_ *svp, &el);
            if ((svp = hv_fetchs(hv, "headers", 0)))
                WSX_R_PAIRS(func, *svp, hdrs, hdr_lens, n_hdrs);
        }
        RETVAL = ws_reactor_accept(self, cid, proto, pl, ext, el, hdrs, hdr_lens, n_hdrs) == WS_OK
            ? newSViv(1) : &PL_sv_undef;
    OUTPUT:
        RETVAL

SV *
reject(self, cid, status, headers = &PL_sv_undef, body = &PL_sv_undef)
        ws_reactor *self
        UV cid
        UV status
        SV *headers
        SV *body
    PREINIT:
        const uint8_t **hdrs = NULL, *b;
        size_t *hdr_lens = NULL, n_hdrs = 0;
        STRLEN bl;
    CODE:
        WSX_R_PAIRS("WebSocket::Engine::Reactor::reject", headers, hdrs, hdr_lens, n_hdrs);
        b = wsx_bytes(aTHX_ body, &bl);
        if (status > 65535)
            status = 0;
        RETVAL = ws_reactor_reject(self, cid, (uint16_t)status, hdrs, hdr_lens, n_hdrs, b, bl) == WS_OK
            ? newSViv(1) : &PL_sv_undef;
    OUTPUT:
        RETVAL

SV *
send(self, cid, opcode, fin, payload)
        ws_reactor *self
        UV cid
        UV opcode
        bool fin
        SV *payload
    PREINIT:
        STRLEN len;
        const uint8_t *p;
    CODE:
        p = wsx_bytes(aTHX_ payload, &len);
        if (opcode > 15)
            croak("WebSocket::Engine::Reactor::send: opcode must be 0 to 15");
        RETVAL = ws_reactor_send(self, cid, (uint8_t)opcode, fin, p, len) == WS_OK ? newSViv(1) : &PL_sv_undef;
    OUTPUT:
        RETVAL

# One text message of characters: a string with the UTF-8 flag is sent as the UTF-8 it holds,
# one without as Latin-1 (encoded to UTF-8 first; ASCII as it is). Returns the payload's
# length in bytes, or undef when the engine refused (see error).
SV *
send_text(self, cid, payload)
        ws_reactor *self
        UV cid
        SV *payload
    PREINIT:
        STRLEN len;
        const char *p;
    CODE:
        SvGETMAGIC(payload);
        if (!SvOK(payload)) {
            p = "";
            len = 0;
        }
        else {
            p = SvPV_nomg(payload, len);
            if (!SvUTF8(payload) && len && !is_utf8_invariant_string((const U8 *)p, len)) {
                SV *copy = sv_2mortal(newSVpvn(p, len));
                sv_utf8_upgrade_nomg(copy);
                p = SvPV_nomg(copy, len);
            }
        }
        RETVAL = ws_reactor_send(self, cid, 1, 1, (const uint8_t *)p, len) == WS_OK ? newSVuv(len) : &PL_sv_undef;
    OUTPUT:
        RETVAL

SV *
close(self, cid, code = &PL_sv_undef, reason = &PL_sv_undef)
        ws_reactor *self
        UV cid
        SV *code
        SV *reason
    PREINIT:
        STRLEN len;
        const uint8_t *p;
        UV c = 0;
    CODE:
        SvGETMAGIC(code);
        if (SvOK(code))
            c = SvUV_nomg(code);
        if (c > 65535)
            croak("WebSocket::Engine::Reactor::close: code must be below 65536");
        p = wsx_bytes(aTHX_ reason, &len);
        RETVAL = ws_reactor_close(self, cid, (uint16_t)c, p, len) == WS_OK ? newSViv(1) : &PL_sv_undef;
    OUTPUT:
        RETVAL

SV *
drop(self, cid)
        ws_reactor *self
        UV cid
    CODE:
        RETVAL = ws_reactor_drop(self, cid) == WS_OK ? newSViv(1) : &PL_sv_undef;
    OUTPUT:
        RETVAL

SV *
pending_handshake(self, cid)
        ws_reactor *self
        UV cid
    PREINIT:
        const uint8_t *p = NULL;
        size_t n = 0;
    CODE:
        RETVAL = ws_reactor_pending_handshake(self, cid, &p, &n) == WS_OK ? WSX_R_PV(p, n) : &PL_sv_undef;
    OUTPUT:
        RETVAL

SV *
buffered_amount(self, cid)
        ws_reactor *self
        UV cid
    PREINIT:
        size_t n = 0;
    CODE:
        RETVAL = ws_reactor_buffered_amount(self, cid, &n) == WS_OK ? newSVuv(n) : &PL_sv_undef;
    OUTPUT:
        RETVAL

void
peer(self, cid)
        ws_reactor *self
        UV cid
    ALIAS:
        local = 1
    PREINIT:
        const uint8_t *ip = NULL;
        size_t len = 0;
        uint16_t port = 0;
        ws_result rc;
    PPCODE:
        rc = ix ? ws_reactor_local(self, cid, &ip, &len, &port) : ws_reactor_peer(self, cid, &ip, &len, &port);
        if (rc != WS_OK)
            XSRETURN_EMPTY;
        EXTEND(SP, 2);
        mPUSHs(newSVpvn((const char *)ip, len));
        mPUSHu(port);
        XSRETURN(2);

SV *
set(self, cid, ...)
        ws_reactor *self
        UV cid
    PREINIT:
        int i;
    CODE:
        if ((items - 2) % 2)
            croak("WebSocket::Engine::Reactor::set: options come in name => value pairs");
        if (cid == 0)
            croak("WebSocket::Engine::Reactor::set: no connection id");
        RETVAL = newSViv(1);
        for (i = 2; i < items; i += 2) {
            const char *k = SvPV_nolen(ST(i));
            uint32_t opt;
            uint64_t value = 0;
            WSX_R_OPTION("WebSocket::Engine::Reactor::set", k, ST(i + 1), opt, value);
            if (!opt) {
                SvREFCNT_dec(RETVAL);
                croak("WebSocket::Engine::Reactor::set: unknown option '%s'", k);
            }
            if (ws_reactor_set_option(self, cid, opt, value) != WS_OK) {
                SvREFCNT_dec(RETVAL);
                RETVAL = &PL_sv_undef;
                break;
            }
        }
    OUTPUT:
        RETVAL

SV *
watch(self, fd, readable = &PL_sv_yes, writable = &PL_sv_no)
        ws_reactor *self
        SV *fd
        SV *readable
        SV *writable
    PREINIT:
        int n;
    CODE:
        WSX_R_FD(fd, n);
        RETVAL = ws_reactor_watch(self, n, SvTRUE(readable), SvTRUE(writable)) == WS_OK ? newSViv(1) : &PL_sv_undef;
    OUTPUT:
        RETVAL

SV *
unwatch(self, fd)
        ws_reactor *self
        SV *fd
    PREINIT:
        int n;
    CODE:
        WSX_R_FD(fd, n);
        RETVAL = ws_reactor_unwatch(self, n) == WS_OK ? newSViv(1) : &PL_sv_undef;
    OUTPUT:
        RETVAL

SV *
add_timer(self, after, repeat = &PL_sv_undef)
        ws_reactor *self
        SV *after
        SV *repeat
    PREINIT:
        uint64_t id = 0, a, r;
    CODE:
        SvGETMAGIC(after);
        SvGETMAGIC(repeat);
        a = WSX_R_US(after);
        r = WSX_R_US(repeat);
        RETVAL = ws_reactor_add_timer(self, a, r, &id) == WS_OK ? newSVuv(id) : &PL_sv_undef;
    OUTPUT:
        RETVAL

SV *
cancel_timer(self, id)
        ws_reactor *self
        UV id
    PREINIT:
        ws_result rc;
    CODE:
        rc = ws_reactor_cancel_timer(self, id);
        RETVAL = rc == WS_OK ? newSViv(1) : rc == WS_NEED_MORE ? newSViv(0) : &PL_sv_undef;
    OUTPUT:
        RETVAL

void
poll(self, timeout = &PL_sv_undef)
        ws_reactor *self
        SV *timeout
    PREINIT:
        int64_t us = -1;
        size_t count = 0, i;
    PPCODE:
        SvGETMAGIC(timeout);
        if (SvOK(timeout)) {
            NV t = SvNV_nomg(timeout);
            us = t <= 0 ? 0 : t >= 9.2e12 ? (int64_t)9200000000000000000LL : (int64_t)(t * 1e6 + 0.5);
        }
        if (ws_reactor_poll(self, us, &count) != WS_OK) {
            char msg[256];
            ws_reactor_error(self, NULL, NULL, (uint8_t *)msg, sizeof(msg));
            croak("WebSocket::Engine::Reactor::poll: %s", msg);
        }
        EXTEND(SP, (SSize_t)count);
        for (i = 0; i < count; i++) {
            uint8_t kind = 0;
            uint64_t id = 0, id2 = 0;
            uint32_t code = 0;
            const uint8_t *d = NULL, *d2 = NULL;
            size_t l = 0, l2 = 0;
            AV *av;
            if (ws_reactor_next_event(self, &kind, &id, &id2, &code, &d, &l, &d2, &l2) != WS_OK
                || kind < WS_REACTOR_EVENT_ACCEPT || kind > WS_REACTOR_EVENT_TIMER)
                break;
            av = wsx_reactor_event_av(aTHX_ self, kind, id, id2, code, d, l, d2, l2);
            PUSHs(sv_2mortal(newRV_noinc((SV *)av)));
        }
        XSRETURN(i);

# poll, with the events handed out one at a time as they are read from the engine: a text
# or binary message of a connection whose object in conns is a WebSocket::Connection that
# does not override _engine_event (stock, a reference to WebSocket::Connection::_engine_event)
# goes straight to its on_utf8 / on_binary callback, called in an eval with $@ localised as
# _engine_event does (_callback_died reports a failure); every other event is given, as the
# array poll would have returned, to $router->_route_event( $event ), whose exceptions
# propagate (the events not yet handed out stay in the engine for the next poll). Every
# engine call has returned before Perl code runs. Returns the number of events.
IV
dispatch(self, timeout, conns, stock, router)
        ws_reactor *self
        SV *timeout
        SV *conns
        SV *stock
        SV *router
    PREINIT:
        int64_t us = -1;
        HV *conns_hv;
        CV *stock_cv = NULL;
        HV *fast_stash = NULL;
    CODE:
        SvGETMAGIC(timeout);
        if (SvOK(timeout)) {
            NV t = SvNV_nomg(timeout);
            us = t <= 0 ? 0 : t >= 9.2e12 ? (int64_t)9200000000000000000LL : (int64_t)(t * 1e6 + 0.5);
        }
        if (!SvROK(conns) || SvTYPE(SvRV(conns)) != SVt_PVHV)
            croak("WebSocket::Engine::Reactor::dispatch: conns must be a hash reference");
        conns_hv = (HV *)SvRV(conns);
        if (SvROK(stock) && SvTYPE(SvRV(stock)) == SVt_PVCV)
            stock_cv = (CV *)SvRV(stock);
        if (ws_reactor_poll(self, us, NULL) != WS_OK) {
            char msg[256];
            ws_reactor_error(self, NULL, NULL, (uint8_t *)msg, sizeof(msg));
            croak("WebSocket::Engine::Reactor::dispatch: %s", msg);
        }
        RETVAL = 0;
        /* The reactor object, the connections and the router live until the loop is done,
         * whatever the callbacks do with them. */
        ENTER;
        SAVEFREESV(SvREFCNT_inc_simple_NN(SvRV(ST(0))));
        SAVEFREESV(SvREFCNT_inc_simple_NN((SV *)conns_hv));
        SAVEFREESV(SvREFCNT_inc_simple_NN(router));
        for (;;) {
            uint8_t kind = 0;
            uint64_t id = 0, id2 = 0;
            uint32_t code = 0;
            const uint8_t *d = NULL, *d2 = NULL;
            size_t l = 0, l2 = 0;
            AV *av;
            if (ws_reactor_next_event(self, &kind, &id, &id2, &code, &d, &l, &d2, &l2) != WS_OK
                || kind < WS_REACTOR_EVENT_ACCEPT || kind > WS_REACTOR_EVENT_TIMER)
                break;
            RETVAL++;
            if (stock_cv && (kind == WS_REACTOR_EVENT_TEXT || kind == WS_REACTOR_EVENT_BINARY)) {
                /* The id in decimal, the hash key Perl made of it (snprintf costs more). */
                char key[24], *kp = key + sizeof(key);
                uint64_t v = id;
                SV **svp;
                SV *obj;
                do { *--kp = (char)('0' + v % 10); v /= 10; } while (v);
                svp = hv_fetch(conns_hv, kp, (I32)(key + sizeof(key) - kp), 0);
                obj = svp && SvROK(*svp) ? SvRV(*svp) : NULL;
                if (obj && SvOBJECT(obj) && SvTYPE(obj) == SVt_PVHV) {
                    HV *stash = SvSTASH(obj);
                    if (stash != fast_stash) {
                        GV *gv = gv_fetchmethod_autoload(stash, "_engine_event", FALSE);
                        if (gv && isGV(gv) && GvCV(gv) == stock_cv)
                            fast_stash = stash;
                    }
                    if (stash == fast_stash) {
                        const int text = kind == WS_REACTOR_EVENT_TEXT;
                        const char *name = text ? "on_utf8" : "on_binary";
                        SV **cbp = hv_fetch((HV *)obj, name, text ? 7 : 9, 0);
                        SV *cb = cbp ? *cbp : NULL;
                        SV *payload, *self_ref;
                        if (!cb || !SvTRUE(cb))
                            continue;
                        /* The engine checked the text is UTF-8: decoded as utf8::decode would. */
                        payload = WSX_R_PV(d, l);
                        if (text && l && !is_utf8_invariant_string(d, l))
                            SvUTF8_on(payload);
                        self_ref = *svp;
                        {
                            /* In an eval, as _engine_event's `local $@; eval{ ... }`: $@ is
                             * localised when it holds something; otherwise it is only put
                             * back to what it was (undef or empty) afterwards, which costs
                             * less. The connection, the callback and the payload are held
                             * until the scope ends, also if _callback_died dies. */
                            dSP;
                            const int had_error = SvTRUE(ERRSV);
                            const int was_undef = !had_error && !SvOK(ERRSV);
                            ENTER;
                            SAVEFREESV(SvREFCNT_inc_simple_NN(self_ref));
                            SAVEFREESV(SvREFCNT_inc_simple_NN(cb));
                            SAVEFREESV(payload);
                            if (had_error)
                                save_scalar(PL_errgv);
                            PUSHMARK(SP);
                            EXTEND(SP, 2);
                            PUSHs(self_ref);
                            PUSHs(payload);
                            PUTBACK;
                            call_sv(cb, G_VOID | G_DISCARD | G_EVAL);
                            if (SvTRUE(ERRSV)) {
                                SPAGAIN;
                                PUSHMARK(SP);
                                EXTEND(SP, 2);
                                PUSHs(self_ref);
                                mPUSHp(name, text ? 7 : 9);
                                PUTBACK;
                                call_method("_callback_died", G_VOID | G_DISCARD);
                                if (!had_error)
                                    sv_setpvs(ERRSV, "");
                            }
                            if (was_undef)
                                sv_setsv(ERRSV, &PL_sv_undef);
                            LEAVE;
                        }
                        continue;
                    }
                }
            }
            av = wsx_reactor_event_av(aTHX_ self, kind, id, id2, code, d, l, d2, l2);
            {
                dSP;
                ENTER;
                SAVETMPS;
                PUSHMARK(SP);
                EXTEND(SP, 2);
                PUSHs(router);
                mPUSHs(newRV_noinc((SV *)av));
                PUTBACK;
                call_method("_route_event", G_VOID | G_DISCARD);
                FREETMPS;
                LEAVE;
            }
        }
        LEAVE;
    OUTPUT:
        RETVAL

SV *
fileno(self)
        ws_reactor *self
    CODE:
        RETVAL = newSViv(ws_reactor_fileno(self));
    OUTPUT:
        RETVAL

SV *
next_deadline(self)
        ws_reactor *self
    PREINIT:
        uint64_t us = 0;
    CODE:
        RETVAL = ws_reactor_next_deadline(self, &us) == WS_OK ? newSVnv((NV)us / 1e6) : &PL_sv_undef;
    OUTPUT:
        RETVAL

UV
connections(self)
        ws_reactor *self
    CODE:
        RETVAL = ws_reactor_connection_count(self);
    OUTPUT:
        RETVAL

UV
listeners(self)
        ws_reactor *self
    CODE:
        RETVAL = ws_reactor_listener_count(self);
    OUTPUT:
        RETVAL

UV
pid(self)
        ws_reactor *self
    CODE:
        RETVAL = ws_reactor_pid(self);
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
        ws_reactor *self
    CODE:
        ws_reactor_free(self);
        sv_setiv(SvRV(ST(0)), 0);
