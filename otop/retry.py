"""A lost or refused database connection becomes one Thai message that says whether trying again is safe."""

from __future__ import annotations

from sqlalchemy import Engine, event
from sqlalchemy.engine import ExceptionContext

ROLLED_BACK_MESSAGE = (
    "การเชื่อมต่อฐานข้อมูลขาดหายระหว่างทำรายการ ระบบยกเลิกรายการนี้ทั้งหมดแล้ว ยังไม่มีข้อมูลใดถูกบันทึก กรุณากดบันทึกหรือทำรายการอีกครั้ง"
)
UNREACHABLE_MESSAGE = "ติดต่อฐานข้อมูลไม่ได้ในขณะนี้ ยังไม่มีข้อมูลใดถูกบันทึก กรุณาลองอีกครั้งในอีกสักครู่ หากยังไม่ได้ กรุณาแจ้งผู้ดูแลระบบ"
UNKNOWN_OUTCOME_MESSAGE = (
    "การเชื่อมต่อฐานข้อมูลขาดหายขณะยืนยันการบันทึก ระบบจึงไม่ทราบว่าบันทึกสำเร็จหรือไม่ กรุณาเปิดหน้านี้ใหม่เพื่อตรวจดูข้อมูลล่าสุดก่อนบันทึกซ้ำ"
)


class DatabaseUnavailable(Exception):
    """The database could not be reached or the connection broke; the message is Thai.

    ``retry_safe`` is true when the interrupted transaction certainly did not commit, so doing
    the same thing again cannot write twice; it is false when the connection broke during
    COMMIT, when only reading the data again tells whether the write landed.
    """

    def __init__(self, message: str, *, retry_safe: bool) -> None:
        super().__init__(message)
        self.retry_safe = retry_safe


def _translate(context: ExceptionContext) -> DatabaseUnavailable | None:
    if context.is_pre_ping:
        # A stale pooled connection found by the ping is replaced by the pool itself.
        return None
    if context.connection is None:
        # Opening a new connection failed: the server is down, restarting or refusing us.
        return DatabaseUnavailable(UNREACHABLE_MESSAGE, retry_safe=True)
    if not context.is_disconnect:
        return None
    if context.statement is None:
        # No statement means the connection broke in COMMIT (or ROLLBACK) itself.
        return DatabaseUnavailable(UNKNOWN_OUTCOME_MESSAGE, retry_safe=False)
    return DatabaseUnavailable(ROLLED_BACK_MESSAGE, retry_safe=True)


def translate_disconnects(engine: Engine) -> Engine:
    """Make ``engine`` raise ``DatabaseUnavailable`` instead of driver errors for lost connections.

    SQLAlchemy still invalidates the broken connection (and the pool's older ones) before the
    error reaches the caller, so the next unit of work gets a fresh connection: the app recovers
    without a restart. Other database errors pass through unchanged.
    """
    if not event.contains(engine, "handle_error", _translate):
        event.listen(engine, "handle_error", _translate)
    return engine
