"""The cold-request floor of this project's stack: the minimal handler's GetItem, written with the
libraries every API function is built on and none of the project's code.

PynamoDB reads the tenant item, with its DynamoDB client built at init (as every API function's
`Services.prepare` builds it); powertools' REST resolver routes with its OpenAPI validation on and
answers a pydantic model; Logger and Metrics wrap the handler, as in every API function. What an API
function costs above this handler is the project's own code.
"""

import os

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel
from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model


class TenantItem(Model):
    class Meta:
        table_name = os.environ["TABLE_NAME"]

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class TenantView(BaseModel):
    tenant: str


TenantItem._get_connection().connection.client  # noqa: B018 - built at init, for its side effect
logger = Logger()
metrics = Metrics(namespace="Bench")
app = APIGatewayRestResolver(enable_validation=True)


@app.get("/v1/settings")
def get_settings() -> TenantView:
    tenant_id = "acme"
    TenantItem.get(f"TENANT#{tenant_id}", "TENANT")
    return TenantView(tenant=tenant_id)


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    return app.resolve(event, context)
