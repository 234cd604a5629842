"""The sandbox tests use the contract tests' sandbox over real HTTP."""

from tests.contract.conftest import running_sandbox, sandbox, sandbox_url  # noqa: F401
