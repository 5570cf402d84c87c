"""The floors of the HTTP benchmark: the least a request on this server can do with the
database, through the same server, middleware and connection handling as the product.

- write: one transaction inserting one small row (the table bench.floor creates);
- read: one primary-key select of a case row (the table the status query reads).
"""

from __future__ import annotations

from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from bench.floor import PAYLOAD, TABLE
from tongban.cases.models import Case

INSERT = f"INSERT INTO {TABLE} (payload) VALUES (%s)"  # noqa: S608 - constant table name
SELECT = f"SELECT id, number, status FROM {Case._meta.db_table} WHERE id = %s"  # noqa: S608


@csrf_exempt
@require_POST
def floor_write(request: HttpRequest) -> JsonResponse:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(INSERT, [PAYLOAD])
    return JsonResponse({"ok": True}, status=201)


@require_GET
def floor_read(request: HttpRequest) -> JsonResponse:
    try:
        case_id = int(request.GET.get("id", ""))
    except ValueError:
        return JsonResponse({"found": False}, status=400)
    with connection.cursor() as cursor:
        cursor.execute(SELECT, [case_id])
        row = cursor.fetchone()
    if row is None:
        return JsonResponse({"found": False}, status=404)
    return JsonResponse({"id": row[0], "number": row[1], "status": row[2]})
