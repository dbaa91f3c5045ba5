import pytest

from ombuds.models import Closure
from ombuds.retention.classes import RecordClass, class_of


@pytest.mark.clause("5.1")
class TestRecordClass:
    @pytest.mark.parametrize(
        ("closure", "expected"),
        [
            (Closure.redirected, RecordClass.redirected),
            (Closure.resolved_informally, RecordClass.informal),
            (Closure.withdrawn, RecordClass.withdrawn),
            (Closure.dismissed, RecordClass.formal),
            (Closure.concluded, RecordClass.formal),
            (Closure.referred_to_charge, RecordClass.formal),
        ],
    )
    def test_each_closure_has_its_class(self, closure: Closure, expected: RecordClass) -> None:
        assert class_of(closure) is expected
