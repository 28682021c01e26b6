"""Typed settings, one pydantic model per service.

Configuration is *read* only by the entry points (``taskmcp.cli``): they merge
command-line flags, the process environment, ``.env`` and the defaults, and call
``AuthSettings.load(environ, overrides)``. Library code receives the resulting model
and never touches ``os.environ``; tests pass plain dicts.

Every invalid or missing value becomes a ``ConfigError`` whose message is one line
naming the variable (or the flag, when the value came from a flag) and what is wrong.
Messages never contain the offending value, so a misplaced secret cannot leak into
them; secrets are ``SecretStr``.

Issuer and resource URLs stay plain ``str``: pydantic URL types add a trailing slash,
and RFC 8414 §3.3 compares the issuer by simple string comparison.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from taskmcp.settings_types import (
    Count,
    ExistingFile,
    Flag,
    Host,
    InternalUrl,
    Networks,
    Origins,
    Port,
    PublicUrl,
    Seconds,
    SecretKey,
    SeedClients,
    SeedUser,
    SeedUsers,
    StorageUrl,
    choice,
    is_loopback,
)

__all__ = [
    "AUTH_SOURCES",
    "DEV_SOURCES",
    "RESOURCE_SOURCES",
    "STANDIN_SOURCES",
    "AuthSettings",
    "ConfigError",
    "DevSettings",
    "ResourceSettings",
    "Source",
    "StandinSettings",
]

DEFAULT_HOST = "127.0.0.1"
DEFAULT_AUTH_PORT = 9000
DEFAULT_RESOURCE_PORT = 8001
DEFAULT_AUTH_SERVER = "http://localhost:9000"
DEFAULT_TASKMANAGER_URL = "http://localhost:4321"
DEFAULT_DATA_DIR = ".taskmcp"
DEFAULT_STANDIN_PORT = 4321
DEFAULT_STANDIN_USER = SeedUser(username="demo", password=SecretStr("demo"))

LogLevel = Literal["debug", "info", "warning", "error"]
LogFormat = Literal["text", "json"]
Env = Literal["development", "production"]
TaskManagerAuth = Literal["user", "service"]
RevisionName = Literal["jan", "dec"]


@dataclass(frozen=True)
class Source:
    """Where a field comes from: its environment variable, its flag if any, and the
    field its default is computed from if any (named in errors about that default)."""

    env: str
    flag: str | None = None
    derived_from: str | None = None


_COMMON_SOURCES = {
    "log_level": Source("TASKMCP_LOG_LEVEL", "--log-level"),
    "log_format": Source("TASKMCP_LOG_FORMAT", "--log-format"),
    "metrics_token": Source("TASKMCP_METRICS_TOKEN"),
    "env": Source("TASKMCP_ENV"),
    "taskmanager_url": Source("TASKMANAGER_OAUTH_HOST", "--taskmanager-url"),
    "taskmanager_internal_url": Source(
        "TASKMCP_TASKMANAGER_INTERNAL_URL", derived_from="taskmanager_url"
    ),
    "introspection_client_id": Source("TASKMCP_INTROSPECTION_CLIENT_ID"),
    "introspection_client_secret": Source("TASKMCP_INTROSPECTION_CLIENT_SECRET"),
    "tls_cert": Source("TASKMCP_TLS_CERT", "--tls-cert"),
    "tls_key": Source("TASKMCP_TLS_KEY", "--tls-key"),
}

AUTH_SOURCES: Mapping[str, Source] = {
    "host": Source("TASKMCP_AUTH_HOST", "--host"),
    "port": Source("TASKMCP_AUTH_PORT", "--port"),
    "data_dir": Source("TASKMCP_DATA_DIR", "--data-dir"),
    "public_url": Source("MCP_AUTH_SERVER_PUBLIC_URL", "--server-url", derived_from="port"),
    "mcp_server_url": Source("MCP_SERVER_URL", "--mcp-server-url"),
    "client_id": Source("TASKMANAGER_CLIENT_ID"),
    "client_secret": Source("TASKMANAGER_CLIENT_SECRET"),
    "storage_url": Source("TASKMCP_STORAGE_URL", "--storage-url", derived_from="data_dir"),
    "secret_key": Source("TASKMCP_SECRET_KEY"),
    "access_token_ttl": Source("TASKMCP_ACCESS_TOKEN_TTL"),
    "refresh_token_ttl": Source("TASKMCP_REFRESH_TOKEN_TTL"),
    "trusted_proxies": Source("TASKMCP_TRUSTED_PROXIES"),
    "cimd_allow_private": Source("TASKMCP_CIMD_ALLOW_PRIVATE"),
    "register_rate_limit": Source("TASKMCP_REGISTER_RATE_LIMIT"),
    "token_rate_limit": Source("TASKMCP_TOKEN_RATE_LIMIT"),
    "authorize_rate_limit": Source("TASKMCP_AUTHORIZE_RATE_LIMIT"),
    **_COMMON_SOURCES,
}

RESOURCE_SOURCES: Mapping[str, Source] = {
    "host": Source("TASKMCP_RESOURCE_HOST", "--host"),
    "port": Source("TASKMCP_RESOURCE_PORT", "--port"),
    "mcp_server_url": Source("MCP_SERVER_URL", "--server-url", derived_from="port"),
    "auth_server": Source("MCP_AUTH_SERVER", "--auth-server"),
    "auth_server_public_url": Source(
        "MCP_AUTH_SERVER_PUBLIC_URL", "--auth-server-public-url", derived_from="auth_server"
    ),
    "oauth_strict": Source("TASKMCP_OAUTH_STRICT", "--oauth-strict"),
    "taskmanager_auth": Source("TASKMCP_TASKMANAGER_AUTH"),
    "taskmanager_username": Source("TASKMANAGER_USERNAME"),
    "taskmanager_password": Source("TASKMANAGER_PASSWORD"),
    "allowed_origins": Source("TASKMCP_ALLOWED_ORIGINS"),
    "no_auth": Source("TASKMCP_NO_AUTH", "--no-auth"),
    "introspection_cache_ttl": Source("TASKMCP_INTROSPECTION_CACHE_TTL"),
    "taskmanager_timeout": Source("TASKMCP_TASKMANAGER_TIMEOUT"),
    "mcp_rate_limit": Source("TASKMCP_MCP_RATE_LIMIT"),
    "mcp_rate_burst": Source("TASKMCP_MCP_RATE_BURST"),
    "mcp_max_streams": Source("TASKMCP_MCP_MAX_STREAMS"),
    "mcp_max_sessions": Source("TASKMCP_MCP_MAX_SESSIONS"),
    **_COMMON_SOURCES,
}

STANDIN_SOURCES: Mapping[str, Source] = {
    "host": Source("TASKMCP_STANDIN_HOST", "--host"),
    "port": Source("TASKMCP_STANDIN_PORT", "--port"),
    "revision": Source("TASKMCP_STANDIN_REVISION", "--revision"),
    "db": Source("TASKMCP_STANDIN_DB", "--db"),
    "users": Source("TASKMCP_STANDIN_USERS", "--user"),
    "clients": Source("TASKMCP_STANDIN_CLIENTS", "--client"),
    "log_level": Source("TASKMCP_LOG_LEVEL", "--log-level"),
    "log_format": Source("TASKMCP_LOG_FORMAT", "--log-format"),
}

# ``taskmcp dev`` reads only these: a deployment's .env (production mode, public URLs,
# secrets) cannot leak into the local stack. The ports and the data directory reuse
# the variables of the services they configure.
DEV_SOURCES: Mapping[str, Source] = {
    "host": Source("TASKMCP_DEV_HOST", "--host"),
    "allow_remote": Source("TASKMCP_DEV_ALLOW_REMOTE", "--allow-remote"),
    "taskmanager_port": Source("TASKMCP_STANDIN_PORT", "--taskmanager-port"),
    "auth_port": Source("TASKMCP_AUTH_PORT", "--auth-port"),
    "resource_port": Source("TASKMCP_RESOURCE_PORT", "--resource-port"),
    "data_dir": Source("TASKMCP_DATA_DIR", "--data-dir"),
    "users": Source("TASKMCP_STANDIN_USERS", "--user"),
    "revision": Source("TASKMCP_STANDIN_REVISION", "--revision"),
    "log_level": Source("TASKMCP_LOG_LEVEL", "--log-level"),
    "log_format": Source("TASKMCP_LOG_FORMAT", "--log-format"),
}


class ConfigError(Exception):
    """Invalid or missing configuration; the message is one line, safe to print."""


class _Loadable(BaseModel):
    """Shared loading logic: collect raw values, validate, name the culprit."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    SOURCES: ClassVar[Mapping[str, Source]]

    @classmethod
    def load(
        cls, environ: Mapping[str, str], overrides: Mapping[str, object] | None = None
    ) -> Self:
        """Build settings from flags (``overrides``, by field name) over ``environ``.

        An empty environment value counts as unset. Raises ``ConfigError``.
        """
        raw, names = _collect(cls.SOURCES, environ, overrides or {})
        try:
            settings = cls.model_validate(raw)
        except ValidationError as exc:
            raise _config_error(exc, names) from None
        settings.check_requirements()
        return settings

    def check_requirements(self) -> None:
        """Cross-field rules; raise ``ConfigError`` naming the missing variable."""

    def startup_warnings(self) -> tuple[str, ...]:
        """Lines the entry point logs at WARNING before serving."""
        return ()


class _Settings(_Loadable):
    """The fields and rules both taskmcp services share."""

    log_level: Annotated[LogLevel, choice(LogLevel)] = "info"
    log_format: Annotated[LogFormat, choice(LogFormat)] = "text"
    metrics_token: SecretKey | None = None
    env: Annotated[Env, choice(Env)] = "development"
    introspection_client_id: str = "taskmcp-resource"
    introspection_client_secret: SecretStr | None = None
    mcp_server_url: PublicUrl = f"http://localhost:{DEFAULT_RESOURCE_PORT}"
    taskmanager_url: InternalUrl = DEFAULT_TASKMANAGER_URL
    taskmanager_internal_url: InternalUrl = DEFAULT_TASKMANAGER_URL
    tls_cert: ExistingFile | None = None
    tls_key: ExistingFile | None = None

    @model_validator(mode="before")
    @classmethod
    def _derived_defaults(cls, data: Any) -> Any:
        """Fill defaults computed from other fields (see ``Source.derived_from``)."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        data.setdefault(
            "taskmanager_internal_url", data.get("taskmanager_url", DEFAULT_TASKMANAGER_URL)
        )
        cls._more_defaults(data)
        return data

    @classmethod
    def _more_defaults(cls, data: dict[str, Any]) -> None:
        """Service-specific derived defaults; ``data`` is a private copy."""

    @property
    def mcp_resource(self) -> str:
        """The protected resource identifier (RFC 8707): the MCP endpoint URL."""
        return f"{self.mcp_server_url}/mcp"

    def check_requirements(self) -> None:
        if self.env == "production":
            self._require(self.production_secrets(), "when TASKMCP_ENV=production")
        if self.tls_cert is not None:
            self._require(("tls_key",), "when TASKMCP_TLS_CERT is set")
        if self.tls_key is not None:
            self._require(("tls_cert",), "when TASKMCP_TLS_KEY is set")

    def production_secrets(self) -> tuple[str, ...]:
        return ("introspection_client_secret",)

    def _require(self, fields: tuple[str, ...], why: str) -> None:
        for field in fields:
            if getattr(self, field) is None:
                raise ConfigError(f"{self.SOURCES[field].env}: required {why}")


class AuthSettings(_Settings):
    """The authorization server (``taskmcp auth``)."""

    host: Host = DEFAULT_HOST
    port: Port = DEFAULT_AUTH_PORT
    data_dir: Path = Path(DEFAULT_DATA_DIR)
    public_url: PublicUrl = f"http://localhost:{DEFAULT_AUTH_PORT}"
    client_id: str = "brooks"
    client_secret: SecretStr | None = None
    storage_url: StorageUrl = f"sqlite:///{DEFAULT_DATA_DIR}/auth.db"
    secret_key: SecretKey | None = None
    access_token_ttl: Seconds = 3600.0
    refresh_token_ttl: Seconds = 30 * 86400.0
    trusted_proxies: Networks = ()
    cimd_allow_private: Flag = False
    register_rate_limit: Count = 60  # per IP per hour
    token_rate_limit: Count = 600  # per IP per minute
    authorize_rate_limit: Count = 120  # per IP per minute

    SOURCES: ClassVar[Mapping[str, Source]] = AUTH_SOURCES

    @classmethod
    def _more_defaults(cls, data: dict[str, Any]) -> None:
        data.setdefault("public_url", f"http://localhost:{data.get('port', DEFAULT_AUTH_PORT)}")
        data.setdefault(
            "storage_url", f"sqlite:///{data.get('data_dir', DEFAULT_DATA_DIR)}/auth.db"
        )

    def production_secrets(self) -> tuple[str, ...]:
        return ("secret_key", "client_secret", "introspection_client_secret")

    def check_requirements(self) -> None:
        super().check_requirements()
        if self.cimd_allow_private and self.env == "production":
            raise ConfigError("TASKMCP_CIMD_ALLOW_PRIVATE: not allowed when TASKMCP_ENV=production")
        if self.access_token_ttl < 60 or self.refresh_token_ttl < self.access_token_ttl:
            raise ConfigError(
                "TASKMCP_ACCESS_TOKEN_TTL: must be at least 60 s"
                " and at most TASKMCP_REFRESH_TOKEN_TTL"
            )

    def startup_warnings(self) -> tuple[str, ...]:
        if self.storage_url == "memory://":
            return ("storage is memory://: every client, grant and token is lost on restart",)
        return ()


class ResourceSettings(_Settings):
    """The MCP resource server (``taskmcp resource``)."""

    host: Host = DEFAULT_HOST
    port: Port = DEFAULT_RESOURCE_PORT
    auth_server: InternalUrl = DEFAULT_AUTH_SERVER
    auth_server_public_url: PublicUrl = DEFAULT_AUTH_SERVER
    oauth_strict: Flag = True
    taskmanager_auth: Annotated[TaskManagerAuth, choice(TaskManagerAuth)] = "user"
    taskmanager_username: str | None = None
    taskmanager_password: SecretStr | None = None
    allowed_origins: Origins = ()
    no_auth: Flag = False
    introspection_cache_ttl: Seconds = 60.0
    taskmanager_timeout: Seconds = 10.0  # total seconds per TaskManager request
    mcp_rate_limit: Count = 10  # requests per second per user, sustained
    mcp_rate_burst: Count = 50  # requests per user in a burst
    mcp_max_streams: Count = 16  # standalone SSE streams per user at once
    mcp_max_sessions: Count = 32  # legacy sessions per user (the oldest is evicted)

    SOURCES: ClassVar[Mapping[str, Source]] = RESOURCE_SOURCES

    @classmethod
    def _more_defaults(cls, data: dict[str, Any]) -> None:
        port = data.get("port", DEFAULT_RESOURCE_PORT)
        data.setdefault("mcp_server_url", f"http://localhost:{port}")
        data.setdefault("auth_server_public_url", data.get("auth_server", DEFAULT_AUTH_SERVER))

    def check_requirements(self) -> None:
        super().check_requirements()
        if self.taskmanager_auth == "service":
            fields = ("taskmanager_username", "taskmanager_password")
            self._require(fields, "when TASKMCP_TASKMANAGER_AUTH=service")
        if self.taskmanager_timeout <= 0:
            raise ConfigError("TASKMCP_TASKMANAGER_TIMEOUT: must be greater than 0")
        if self.no_auth and (self.env == "production" or not is_loopback(self.host)):
            raise ConfigError(
                "TASKMCP_NO_AUTH: allowed only in development with a loopback "
                "TASKMCP_RESOURCE_HOST (127.0.0.1, ::1, localhost)"
            )

    def startup_warnings(self) -> tuple[str, ...]:
        warnings: list[str] = []
        if not self.oauth_strict:
            warnings.append(
                "OAuth strict mode is off (TASKMCP_OAUTH_STRICT=false): development only"
            )
        if self.no_auth:
            warnings.append(
                "AUTHENTICATION IS DISABLED (--no-auth / TASKMCP_NO_AUTH): every request on "
                "/mcp runs as the fixed local user with tasks:read and tasks:write; "
                "use only for the conformance suite"
            )
        return tuple(warnings)


class StandinSettings(_Loadable):
    """The development TaskManager stand-in (``taskmcp taskmanager``), not TaskManager.

    ``users`` and ``clients`` come from repeated ``--user``/``--client`` flags, or from
    one whitespace-separated environment value each. Clients belong to the first user.
    """

    host: Host = DEFAULT_HOST
    port: Port = DEFAULT_STANDIN_PORT
    revision: Annotated[RevisionName, choice(RevisionName)] = "jan"
    db: StorageUrl = "memory://"
    users: SeedUsers = Field(default=(DEFAULT_STANDIN_USER,), min_length=1)
    clients: SeedClients = ()
    log_level: Annotated[LogLevel, choice(LogLevel)] = "info"
    log_format: Annotated[LogFormat, choice(LogFormat)] = "text"

    SOURCES: ClassVar[Mapping[str, Source]] = STANDIN_SOURCES

    def startup_warnings(self) -> tuple[str, ...]:
        return ("this is a development stand-in for TaskManager, not TaskManager",)


class DevSettings(_Loadable):
    """The whole local system in one process (``taskmcp dev``): the stand-in, the
    authorization server and the resource server, wired by ``taskmcp.devstack``."""

    host: Host = DEFAULT_HOST
    allow_remote: Flag = False
    taskmanager_port: Port = DEFAULT_STANDIN_PORT
    auth_port: Port = DEFAULT_AUTH_PORT
    resource_port: Port = DEFAULT_RESOURCE_PORT
    data_dir: Path = Path(DEFAULT_DATA_DIR)
    users: SeedUsers = Field(default=(DEFAULT_STANDIN_USER,), min_length=1)
    revision: Annotated[RevisionName, choice(RevisionName)] = "jan"
    log_level: Annotated[LogLevel, choice(LogLevel)] = "info"
    log_format: Annotated[LogFormat, choice(LogFormat)] = "text"

    SOURCES: ClassVar[Mapping[str, Source]] = DEV_SOURCES

    def check_requirements(self) -> None:
        # Demo accounts and development secrets: loopback only, unless asked for.
        if not is_loopback(self.host) and not self.allow_remote:
            raise ConfigError(
                f"{self.SOURCES['host'].flag}: must be loopback (127.0.0.1, ::1, localhost) "
                f"unless {self.SOURCES['allow_remote'].flag} is given"
            )
        ports = (self.taskmanager_port, self.auth_port, self.resource_port)
        if len(set(ports)) != len(ports):
            raise ConfigError(
                "--taskmanager-port, --auth-port, --resource-port: must be three different ports"
            )

    def startup_warnings(self) -> tuple[str, ...]:
        if is_loopback(self.host):
            return ()
        return (
            f"listening on {self.host}: the demo accounts and this development stack are "
            "reachable from other machines",
        )


def _collect(
    sources: Mapping[str, Source], environ: Mapping[str, str], overrides: Mapping[str, object]
) -> tuple[dict[str, object], dict[str, str]]:
    """Raw values by field (flag over environment), and the name to blame for each."""
    raw = {field: value for field, value in overrides.items() if value is not None}
    names = {field: source.env for field, source in sources.items()}
    for field, source in sources.items():
        if field in raw:
            names[field] = source.flag or source.env
        elif environ.get(source.env, ""):
            raw[field] = environ[source.env]
    for field, source in sources.items():
        origin = source.derived_from
        if field not in raw and origin in raw:
            names[field] = f"{source.env} (unset, so derived from {names[origin]})"
    return raw, names


def _config_error(exc: ValidationError, names: Mapping[str, str]) -> ConfigError:
    """One validation error as one line; pydantic's input echo is left out."""
    errors = exc.errors(include_url=False, include_input=False)
    # A bad value also spoils the defaults derived from it; blame the value itself.
    direct = [
        e for e in errors if e["loc"] and "derived from" not in names.get(str(e["loc"][0]), "")
    ]
    error = (direct or errors)[0]
    field = str(error["loc"][0]) if error["loc"] else "configuration"
    cause = error.get("ctx", {}).get("error")
    message = str(cause) if error["type"] == "value_error" and cause else error["msg"]
    return ConfigError(f"{names.get(field, field)}: {message}")
