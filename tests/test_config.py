"""Settings: defaults, sources, validation messages, and the development secret key."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from taskmcp.config import (
    AUTH_SOURCES,
    DEV_SOURCES,
    RESOURCE_SOURCES,
    STANDIN_SOURCES,
    AuthSettings,
    ConfigError,
    ResourceSettings,
)
from taskmcp.secret_key import KEY_FILE, resolve_secret_key

ROOT = Path(__file__).resolve().parent.parent
KEY = "k" * 32
PLANTED = "planted-secret-value-do-not-print"
TRUE_WORDS = ["true", "TRUE", "1", "yes", "On"]
FALSE_WORDS = ["false", "0", "no", "OFF", " off "]


def _auth_error(environ: dict[str, str], overrides: dict[str, object] | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        AuthSettings.load(environ, overrides)
    return str(info.value)


def _resource_error(environ: dict[str, str], overrides: dict[str, object] | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        ResourceSettings.load(environ, overrides)
    return str(info.value)


def test_auth_defaults_match_the_documented_table() -> None:
    settings = AuthSettings.load({})
    assert (settings.host, settings.port) == ("127.0.0.1", 9000)
    assert settings.public_url == "http://localhost:9000"
    assert settings.mcp_server_url == "http://localhost:8001"
    assert settings.mcp_resource == "http://localhost:8001/mcp"
    assert settings.taskmanager_url == settings.taskmanager_internal_url == "http://localhost:4321"
    assert settings.storage_url == "sqlite:///.taskmcp/auth.db"
    assert settings.data_dir == Path(".taskmcp")
    assert (settings.client_id, settings.client_secret, settings.secret_key) == (
        "brooks",
        None,
        None,
    )
    assert (settings.log_level, settings.env) == ("info", "development")
    assert settings.introspection_client_id == "taskmcp-resource"


def test_resource_defaults_match_the_documented_table() -> None:
    settings = ResourceSettings.load({})
    assert (settings.host, settings.port) == ("127.0.0.1", 8001)
    assert settings.mcp_server_url == "http://localhost:8001"
    assert settings.auth_server == settings.auth_server_public_url == "http://localhost:9000"
    assert settings.oauth_strict is True
    assert settings.taskmanager_auth == "user"
    assert settings.startup_warnings() == ()


def test_derived_defaults_follow_the_values_they_derive_from() -> None:
    auth = AuthSettings.load(
        {"TASKMCP_AUTH_PORT": "9100", "TASKMCP_DATA_DIR": "/srv/tm"},
        {"taskmanager_url": "https://tasks.example.com"},
    )
    assert auth.public_url == "http://localhost:9100"
    assert auth.storage_url == "sqlite:////srv/tm/auth.db"
    assert auth.taskmanager_internal_url == "https://tasks.example.com"
    resource = ResourceSettings.load({"MCP_AUTH_SERVER": "https://auth.example"}, {"port": "8100"})
    assert resource.mcp_server_url == "http://localhost:8100"
    assert resource.auth_server_public_url == "https://auth.example"


def test_an_invalid_derived_default_names_both_variables() -> None:
    """In Docker the internal AS URL is not public: the public one must then be set."""
    message = _resource_error({"MCP_AUTH_SERVER": "http://auth:9000"})
    assert message.startswith(
        "MCP_AUTH_SERVER_PUBLIC_URL (unset, so derived from MCP_AUTH_SERVER): must use https"
    )
    message = _resource_error({}, {"auth_server": "http://auth:9000"})
    assert message.startswith("MCP_AUTH_SERVER_PUBLIC_URL (unset, so derived from --auth-server)")


def test_an_override_beats_the_environment() -> None:
    settings = AuthSettings.load({"TASKMCP_AUTH_PORT": "9100"}, {"port": "9200"})
    assert settings.port == 9200


def test_an_override_of_none_means_the_flag_was_not_given() -> None:
    settings = AuthSettings.load({"TASKMCP_AUTH_PORT": "9100"}, {"port": None})
    assert settings.port == 9100


def test_an_empty_environment_value_counts_as_unset() -> None:
    settings = AuthSettings.load({"TASKMCP_AUTH_PORT": "", "TASKMANAGER_CLIENT_SECRET": ""})
    assert (settings.port, settings.client_secret) == (9000, None)


@pytest.mark.parametrize("value", ["0", "65536", "abc", "1.5", "-1", "", "٩٠"])
def test_a_bad_port_from_a_flag_names_the_flag(value: str) -> None:
    message = _auth_error({}, {"port": value})
    assert message == "--port: must be an integer between 1 and 65535"


def test_a_bad_port_from_the_environment_names_the_variable() -> None:
    message = _auth_error({"TASKMCP_AUTH_PORT": "70000"})
    assert message == "TASKMCP_AUTH_PORT: must be an integer between 1 and 65535"
    message = _resource_error({"TASKMCP_RESOURCE_PORT": "x"})
    assert message.startswith("TASKMCP_RESOURCE_PORT: ")


def test_an_issuer_with_a_trailing_slash_is_rejected() -> None:
    """RFC 8414 §3.3: the issuer is compared as a string, so "x/" is not "x"."""
    message = _auth_error({"MCP_AUTH_SERVER_PUBLIC_URL": "https://auth.example.com/"})
    assert message == "MCP_AUTH_SERVER_PUBLIC_URL: must not end with '/'"


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://auth.example.com?x=1", "without query or fragment"),
        ("https://auth.example.com#top", "without query or fragment"),
        ("https://auth.example.com?", "without query or fragment"),
        ("https://user:pw@auth.example.com", "must not contain user info"),
        ("ftp://auth.example.com", "must be an http(s) URL"),
        ("auth.example.com", "must be an http(s) URL"),
        ("https://", "must be an http(s) URL"),
        ("https://auth.example.com:99999", "must be an http(s) URL"),
        ("https://auth.example .com", "must not contain whitespace"),
    ],
)
def test_malformed_public_urls_are_rejected(url: str, problem: str) -> None:
    message = _auth_error({"MCP_AUTH_SERVER_PUBLIC_URL": url})
    assert message.startswith("MCP_AUTH_SERVER_PUBLIC_URL: ")
    assert problem in message
    assert url not in message


@pytest.mark.parametrize(
    "url",
    ["http://auth.example.com", "http://localhost.attacker.example", "http://127.0.0.1.nip.io"],
)
def test_a_public_url_needs_https_unless_the_host_is_loopback(url: str) -> None:
    message = _auth_error({}, {"public_url": url})
    assert message == (
        "--server-url: must use https unless the host is loopback (localhost, 127.0.0.0/8, ::1)"
    )


@pytest.mark.parametrize(
    "url",
    ["http://localhost:9000", "http://LOCALHOST", "http://127.0.0.5:1", "http://[::1]:9000"],
)
def test_a_loopback_public_url_may_use_http(url: str) -> None:
    assert AuthSettings.load({"MCP_AUTH_SERVER_PUBLIC_URL": url}).public_url == url


def test_the_mcp_server_url_is_a_public_url_on_both_services() -> None:
    environ = {"MCP_SERVER_URL": "http://mcp.example.com"}
    assert _auth_error(environ).startswith("MCP_SERVER_URL: must use https")
    assert _resource_error(environ).startswith("MCP_SERVER_URL: must use https")


def test_internal_urls_may_use_http_anywhere() -> None:
    settings = ResourceSettings.load(
        {
            "MCP_AUTH_SERVER": "http://auth:9000",
            "MCP_AUTH_SERVER_PUBLIC_URL": "https://auth.example.com",
            "TASKMANAGER_OAUTH_HOST": "http://taskmanager:4321",
            "TASKMCP_TASKMANAGER_INTERNAL_URL": "http://10.0.0.7:4321",
        }
    )
    assert settings.auth_server == "http://auth:9000"
    assert settings.taskmanager_internal_url == "http://10.0.0.7:4321"


def test_an_internal_url_still_may_not_end_with_a_slash() -> None:
    message = _resource_error({"MCP_AUTH_SERVER": "http://auth:9000/"})
    assert message == "MCP_AUTH_SERVER: must not end with '/'"


def test_urls_are_kept_as_the_exact_string_given() -> None:
    url = "https://auth.example.com/tenant"
    assert AuthSettings.load({"MCP_AUTH_SERVER_PUBLIC_URL": url}).public_url == url


@pytest.mark.parametrize(
    ("value", "expected"),
    [*((word, True) for word in TRUE_WORDS), *((word, False) for word in FALSE_WORDS)],
)
def test_boolean_words_are_accepted(value: str, expected: bool) -> None:
    assert ResourceSettings.load({"TASKMCP_OAUTH_STRICT": value}).oauth_strict is expected


@pytest.mark.parametrize("value", ["maybe", "2", "enabled", "t"])
def test_other_boolean_words_are_a_clear_error(value: str) -> None:
    message = _resource_error({"TASKMCP_OAUTH_STRICT": value})
    assert message == "TASKMCP_OAUTH_STRICT: must be one of true/false, 1/0, yes/no, on/off"


def test_turning_strict_mode_off_produces_a_startup_warning() -> None:
    settings = ResourceSettings.load({}, {"oauth_strict": False})
    assert settings.oauth_strict is False
    assert any("strict" in line for line in settings.startup_warnings())


def test_log_level_and_env_are_case_insensitive_choices() -> None:
    settings = AuthSettings.load({"TASKMCP_LOG_LEVEL": "DEBUG", "TASKMCP_ENV": "Development"})
    assert (settings.log_level, settings.env) == ("debug", "development")
    message = _auth_error({}, {"log_level": "verbose"})
    assert message == "--log-level: must be one of debug, info, warning, error"
    message = _auth_error({"TASKMCP_ENV": "staging"})
    assert message == "TASKMCP_ENV: must be one of development, production"


def test_service_mode_without_a_password_names_the_password() -> None:
    message = _resource_error(
        {"TASKMCP_TASKMANAGER_AUTH": "service", "TASKMANAGER_USERNAME": "mcp"}
    )
    assert message == "TASKMANAGER_PASSWORD: required when TASKMCP_TASKMANAGER_AUTH=service"


def test_service_mode_without_a_username_names_the_username() -> None:
    message = _resource_error({"TASKMCP_TASKMANAGER_AUTH": "service", "TASKMANAGER_PASSWORD": "pw"})
    assert message.startswith("TASKMANAGER_USERNAME: required")


def test_service_mode_with_both_credentials_loads() -> None:
    settings = ResourceSettings.load(
        {
            "TASKMCP_TASKMANAGER_AUTH": "service",
            "TASKMANAGER_USERNAME": "mcp",
            "TASKMANAGER_PASSWORD": PLANTED,
        }
    )
    assert settings.taskmanager_password is not None
    assert settings.taskmanager_password.get_secret_value() == PLANTED
    assert PLANTED not in repr(settings)


def _production(**extra: str) -> dict[str, str]:
    environ = {
        "TASKMCP_ENV": "production",
        "TASKMCP_SECRET_KEY": KEY,
        "TASKMANAGER_CLIENT_SECRET": "upstream",
        "TASKMCP_INTROSPECTION_CLIENT_SECRET": "introspect",
    }
    return {**environ, **extra}


def test_production_without_a_secret_key_is_a_config_error() -> None:
    message = _auth_error(_production(TASKMCP_SECRET_KEY=""))
    assert message == "TASKMCP_SECRET_KEY: required when TASKMCP_ENV=production"


@pytest.mark.parametrize(
    "variable", ["TASKMANAGER_CLIENT_SECRET", "TASKMCP_INTROSPECTION_CLIENT_SECRET"]
)
def test_production_requires_every_auth_secret(variable: str) -> None:
    message = _auth_error(_production(**{variable: ""}))
    assert message == f"{variable}: required when TASKMCP_ENV=production"


def test_production_resource_requires_the_introspection_secret() -> None:
    message = _resource_error({"TASKMCP_ENV": "production"})
    assert message == "TASKMCP_INTROSPECTION_CLIENT_SECRET: required when TASKMCP_ENV=production"


def test_a_complete_production_configuration_loads() -> None:
    settings = AuthSettings.load(_production())
    assert settings.env == "production"
    assert KEY not in repr(settings)
    assert KEY not in str(settings.model_dump())


def test_a_short_secret_key_is_rejected_without_echoing_it() -> None:
    message = _auth_error({"TASKMCP_SECRET_KEY": PLANTED[:31]})
    assert message == "TASKMCP_SECRET_KEY: must be at least 32 characters long"
    assert PLANTED[:31] not in message


@pytest.mark.parametrize(
    "url",
    ["redis://localhost", "postgres://u:p@db/x", "sqlite://", "sqlite:///", "memory://x", "x"],
)
def test_an_unusable_storage_url_is_a_config_error(url: str) -> None:
    message = _auth_error({}, {"storage_url": url})
    assert message.startswith("--storage-url: ")
    assert "u:p" not in message


def test_memory_storage_is_accepted_with_a_warning() -> None:
    settings = AuthSettings.load({"TASKMCP_STORAGE_URL": "memory://"})
    assert any("lost on restart" in line for line in settings.startup_warnings())
    assert AuthSettings.load({}).startup_warnings() == ()


def test_unknown_override_fields_are_rejected() -> None:
    assert _auth_error({}, {"prot": "9000"}).startswith("prot: ")


def test_an_explicit_secret_key_is_used_as_is(tmp_path: Path) -> None:
    settings = AuthSettings.load({"TASKMCP_SECRET_KEY": KEY, "TASKMCP_DATA_DIR": str(tmp_path)})
    assert resolve_secret_key(settings) == KEY.encode()
    assert not (tmp_path / KEY_FILE).exists()


def test_development_generates_a_private_key_file_once_and_reuses_it(tmp_path: Path) -> None:
    settings = AuthSettings.load({"TASKMCP_DATA_DIR": str(tmp_path / "data")})
    first = resolve_secret_key(settings)
    path = tmp_path / "data" / KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(first) >= 32
    assert resolve_secret_key(settings) == first
    assert [p.name for p in path.parent.iterdir()] == [KEY_FILE]


def test_a_truncated_key_file_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / KEY_FILE).write_text("short")
    settings = AuthSettings.load({"TASKMCP_DATA_DIR": str(tmp_path)})
    with pytest.raises(ConfigError, match=r"^TASKMCP_DATA_DIR: .*at least 32"):
        resolve_secret_key(settings)


def test_production_never_falls_back_to_a_key_file(tmp_path: Path) -> None:
    (tmp_path / KEY_FILE).write_text(KEY)
    settings = AuthSettings.model_construct(env="production", data_dir=tmp_path, secret_key=None)
    with pytest.raises(ConfigError, match=r"^TASKMCP_SECRET_KEY: required"):
        resolve_secret_key(settings)


def test_env_example_documents_every_variable() -> None:
    text = (ROOT / ".env.example").read_text()
    sources = (
        *AUTH_SOURCES.values(),
        *RESOURCE_SOURCES.values(),
        *STANDIN_SOURCES.values(),
        *DEV_SOURCES.values(),
    )
    variables = {s.env for s in sources}
    missing = sorted(v for v in variables if f"# {v}=" not in text)
    assert missing == []


def test_oauth_lifetimes_limits_and_proxies_are_configurable() -> None:
    settings = AuthSettings.load(
        {
            "TASKMCP_ACCESS_TOKEN_TTL": "1800",
            "TASKMCP_REFRESH_TOKEN_TTL": "86400",
            "TASKMCP_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.5",
            "TASKMCP_TOKEN_RATE_LIMIT": "30",
        }
    )
    assert settings.access_token_ttl == 1800
    assert [str(n) for n in settings.trusted_proxies] == ["10.0.0.0/8", "192.168.1.5/32"]
    assert settings.token_rate_limit == 30


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"TASKMCP_ACCESS_TOKEN_TTL": "soon"}, "TASKMCP_ACCESS_TOKEN_TTL: must be a number"),
        ({"TASKMCP_ACCESS_TOKEN_TTL": "10"}, "TASKMCP_ACCESS_TOKEN_TTL: must be at least 60 s"),
        ({"TASKMCP_TRUSTED_PROXIES": "10.0.0.0/33"}, "TASKMCP_TRUSTED_PROXIES: must be"),
        ({"TASKMCP_TOKEN_RATE_LIMIT": "0"}, "TASKMCP_TOKEN_RATE_LIMIT: must be an integer"),
        (
            {
                "TASKMCP_CIMD_ALLOW_PRIVATE": "true",
                "TASKMCP_ENV": "production",
                "TASKMCP_SECRET_KEY": "k" * 32,
                "TASKMANAGER_CLIENT_SECRET": "s",
                "TASKMCP_INTROSPECTION_CLIENT_SECRET": "i",
            },
            "TASKMCP_CIMD_ALLOW_PRIVATE: not allowed",
        ),
    ],
)
def test_bad_oauth_settings_name_their_variable(environ: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=f"^{message}"):
        AuthSettings.load(environ)
