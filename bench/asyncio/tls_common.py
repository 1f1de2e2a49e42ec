"""TLS contexts of the W8/W9 peers: the bench's throwaway CA and server certificate, TLS 1.3 only.

The TLS 1.3 suite cannot be set from python's ssl module; OpenSSL's first choice is the one the
Node variants are pinned to, and `check_cipher` makes sure it is the one negotiated.
"""

import ssl


def server_context(p):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_3
    ctx.load_cert_chain(p["certfile"], p["keyfile"])
    return ctx


def client_context(p):
    ctx = ssl.create_default_context(cafile=p["cafile"])
    ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_3
    return ctx


def check_cipher(transport, p):
    name, version, _ = transport.get_extra_info("cipher")
    if name != p["cipher"] or version != "TLSv1.3":
        raise RuntimeError(f"negotiated {name} {version}, expected {p['cipher']} TLSv1.3")


def server_ssl(p):
    """A server's `ssl=`: a TLS context when the bench passed certificates (W9), else None."""
    return server_context(p) if "certfile" in p else None


def client_ssl(p):
    """A client's `ssl=` and `server_hostname=`, none for plain TCP."""
    if "cafile" not in p:
        return {}
    return {"ssl": client_context(p), "server_hostname": "localhost"}


def check_tls(transport, p):
    """On TLS, that the suite the Node variants use was negotiated."""
    if "cipher" in p:
        check_cipher(transport, p)
