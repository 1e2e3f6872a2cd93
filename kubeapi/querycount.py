"""X-Kubeapi-Queries: how many SQL statements a request ran, for
tests/test_query_counts.py. Installed only when KUBEAPI_COUNT_QUERIES=1
(kubeapi.settings), so the hot path never pays for it.

The count is of this request's thread: the view, authentication and
anything the request runs before answering; not the background loops,
which run on their own threads and connections.
"""
from django.db import connection

HEADER = "X-Kubeapi-Queries"


class QueryCountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counted(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counted):
            response = self.get_response(request)
        response[HEADER] = str(count)
        return response
