from tests.local.conftest import dev_template  # noqa: F401  (the local backend's template)
