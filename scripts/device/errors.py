"""Exit codes and :class:`StepFailed`, the error every device step raises: what is wrong and what to do."""

EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_USAGE = 2


class StepFailed(Exception):
    """A step failed: ``problem`` says what is wrong, ``fix`` what the user should do."""

    def __init__(self, problem: str, fix: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.fix = fix
