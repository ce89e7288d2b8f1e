"""``revgate contract-test``: schemathesis against a revgate deployment, as a consuming team runs it.

:func:`.run.run_contract_tests` fetches the gateway's merged document (``/openapi.json``), gets an access
token by OAuth 2.0 client credentials, and runs schemathesis over the operations of one capability
and major (or all of them): every check, positive and negative data, all four phases (the
document's examples, coverage, fuzzing, stateful sequences). It prints schemathesis's report, writes
a JUnit XML file and answers the exit status.

The command line (:mod:`.command`) and revgate's own test suite (``tests/contracts``) both call it,
so what revgate checks of itself is what its consumers check of it. schemathesis is loaded only
when a run starts (``run``, ``_hooks``): the gateway and the rest of the CLI never import it.
"""

from typing import Final

#: schemathesis's phases: the document's examples; coverage (each boundary, and each way to break
#: each parameter and field: about 90 requests per operation); fuzzing (generated positive and
#: negative data, ``max_examples`` per operation); stateful (sequences of calls that follow links).
PHASES: Final = ("examples", "coverage", "fuzzing", "stateful")
#: Requests per second by default: under the gateway's default quota (600 a minute per client; every
#: answer's ``RateLimit-Policy`` header says yours), so a run neither meets 429s nor spends the quota.
DEFAULT_RATE_LIMIT: Final = "8/s"
DEFAULT_MAX_EXAMPLES: Final = 20
DEFAULT_JUNIT: Final = "contract-test.xml"
#: Exit status when the run could not start (unreachable deployment, refused credentials, no such
#: capability). schemathesis itself answers 1 when a check failed and 2 on an error of its own.
SETUP_ERROR: Final = 2
