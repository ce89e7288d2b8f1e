"""The [rate_limit] config section: refusing bad ones, and which policy a request gets."""

from __future__ import annotations

import msgspec
import pytest

from gateway.ratelimit import MemoryRateLimiter, RateLimitConfig, RateLimitPolicy, RedisRateLimiter

CONFIG = b"""
default_policy = "standard"
[policies.standard]
limit = 600
window = 60
[policies.writes]
limit = 30
window = 60
burst = 5
[policies.partner]
limit = 6000
window = 60
[routes]
"customer-master:v2:createCustomer" = "writes"
[clients]
big-partner = "partner"
[client_routes.big-partner]
"customer-master:v2:createCustomer" = "writes"
[client_routes.batch-loader]
"customer-master:v2:listCustomers" = "partner"
"""


@pytest.fixture
def config() -> RateLimitConfig:
    return msgspec.toml.decode(CONFIG, type=RateLimitConfig)


def test_policies_take_their_names_from_the_table(config: RateLimitConfig) -> None:
    assert config.policies["writes"].name == "writes"
    assert config.policies["writes"].capacity == 5
    assert config.policies["standard"].capacity == 600


@pytest.mark.parametrize(
    ("client", "operation", "policy"),
    [
        ("someone", "customer-master:v2:getCustomer", "standard"),  # default
        ("someone", "customer-master:v2:createCustomer", "writes"),  # route override
        ("big-partner", "customer-master:v2:getCustomer", "partner"),  # client override
        ("big-partner", "customer-master:v2:createCustomer", "writes"),  # client + route
        ("batch-loader", "customer-master:v2:listCustomers", "partner"),  # client + route
        ("batch-loader", "customer-master:v2:createCustomer", "writes"),  # falls through to the route
    ],
)
def test_the_most_specific_override_wins(
    config: RateLimitConfig, client: str, operation: str, policy: str
) -> None:
    assert config.policy_for(client, operation).name == policy


def test_the_default_config_limits_in_process_with_one_policy() -> None:
    config = RateLimitConfig()

    assert config.policy_for("anyone", "any:v1:op").limit == 600
    assert isinstance(config.build_limiter(), MemoryRateLimiter)
    assert isinstance(RateLimitConfig(redis_url="").build_limiter(), MemoryRateLimiter)
    assert isinstance(RateLimitConfig(redis_url="redis://127.0.0.1:6379/0").build_limiter(), RedisRateLimiter)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (b'default_policy = "nope"', "default_policy names policy 'nope', which is not defined"),
        (b'[routes]\n"a:v1:b" = "nope"', "routes.a:v1:b names policy 'nope'"),
        (b'[client_routes.c]\n"a:v1:b" = "nope"', "client_routes.c.a:v1:b names policy 'nope'"),
        (b"[policies.default]\nlimit = 0\nwindow = 1", "Expected `int` >= 1 - at `$.policies[...].limit`"),
        (
            b"[policies.default]\nlimit = 1\nwindow = 0",
            "> 0.0 - at `$.policies[...].window`",
        ),
        (b"[policies.default]\nlimit = 1\nwindow = 1\nburst = 0", "at `$.policies[...].burst`"),
        (b'[policies.default]\nname = "x"\nlimit = 1\nwindow = 1', "leave it out or make it 'default'"),
        (b'[policies."bad name"]\nlimit = 1\nwindow = 1', "policy name 'bad name' must be"),
        (b"[policies.default]\nlimit = 1\nwindow = 1\nspeed = 3", "Object contains unknown field `speed`"),
        (b'redis_url = "http://localhost"', "Redis URL must start with redis://"),
        (b"timeout = 0", "timeout must be more than 0 seconds"),
    ],
)
def test_a_bad_config_is_refused_naming_the_field(toml: bytes, message: str) -> None:
    with pytest.raises(msgspec.ValidationError) as error:
        msgspec.toml.decode(toml, type=RateLimitConfig)

    assert message in str(error.value)


@pytest.mark.parametrize(
    "fields",
    [{"limit": 0, "window": 1.0}, {"limit": 1, "window": 0.0}, {"limit": 1, "window": 1.0, "burst": 0}],
)
def test_a_policy_built_in_code_is_checked_too(fields: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must be"):
        RateLimitPolicy(name="p", **fields)  # type: ignore[arg-type]
