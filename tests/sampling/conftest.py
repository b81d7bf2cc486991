import pytest

from distill.sampling.loopback import FaultPlan, LoopbackServer

FLAKY = FaultPlan(latency_s=0.005, rate_429=0.15, retry_after_s=0.02, rate_500=0.1, rate_truncated=0.08,
                  rate_malformed=0.08, rate_hang=0.04, hang_s=3.0, clean_after=3, seed=1)


@pytest.fixture(scope="session")
def tasks(make_tasks):
    return make_tasks(45)


@pytest.fixture
def server():
    srv = LoopbackServer(FLAKY)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture
def keys(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-SECRET-openai-0123456789")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-SECRET-anthropic-0123456789")
    return {"openai": "sk-test-SECRET-openai-0123456789", "anthropic": "sk-ant-SECRET-anthropic-0123456789"}
