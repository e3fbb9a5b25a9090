# The plugins this distribution registers (pyproject.toml, group kam.rules), by key: the tests hold
# every one of them to the contract, the spec and the coverage tables.
BUILT_IN = (
    "telecom",
    "software",
    "software-progressive",
    "banking",
    "service-centre",
    "call-centre",
    "customer-manager",
    "bank-grades",
    "power-supply",
    "railway",
    "kam-assistant",
)
