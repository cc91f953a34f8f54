"""The gRPC adapter: the only package that imports grpc and the generated ``cockpit.v1`` code.

- :mod:`cockpit.server.runner`: :func:`serve` and :class:`CockpitServer` (health, reflection, shutdown).
- :mod:`cockpit.server.servicer`: ``cockpit.v1.Cockpit`` over an :class:`~cockpit.service_api.AssistantService`.
- :mod:`cockpit.server.gate`: the interceptor before every RPC (tokens, scopes, undecodable requests).
- :mod:`cockpit.server.auth`: the tokens file and its scopes.
- :mod:`cockpit.server.owners`: which token owns each session, the session limits and turn rate.
- :mod:`cockpit.server.streams`: bounded event and state feeds, the stream limits.
- :mod:`cockpit.server.tls`: TLS and mutual TLS, server and client side.
- :mod:`cockpit.server.access`: tokens, TLS and limits from the settings; the insecure refusal.
- :mod:`cockpit.server.bench_notice`: command frames the Bench injects, told to the conversations.
- :mod:`cockpit.server.status`: cockpit errors to gRPC status codes (never UNKNOWN).
- :mod:`cockpit.server.convert`: events, values and skills to and from protobuf messages.
- :mod:`cockpit.server.client`: the same API from the client side, in cockpit's own types.
"""

from cockpit.server.runner import CockpitServer, serve, start_server

__all__ = ["CockpitServer", "serve", "start_server"]
