"""`python -m fairwatch.cli ...`: the same as the `fairwatch` console script."""

from fairwatch.cli import main

main()
