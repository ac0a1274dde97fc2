"""Lambda REQUEST authorizer: Bearer JWTs and Basic API keys -> tenant, client id, subject, scopes.

Refusals raise `Unauthorized`, which API Gateway turns into its UNAUTHORIZED gateway response (401).
An accepted caller gets a policy covering the whole API (`invoicing.auth.route_access`): the routes
its scopes open are allowed, the rest denied (403 ACCESS_DENIED). API Gateway caches that decision
per Authorization header (ReauthorizeEvery, 300 s), so an API key revoked or expired meanwhile keeps
its cached Allow until that entry ends; every fresh check reads the key and refuses it.
"""

from invoicing.wiring.function import Function
from invoicing.wiring.services import AuthorizerServices

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import event_source
from aws_lambda_powertools.utilities.data_classes.api_gateway_authorizer_event import (
    APIGatewayAuthorizerRequestEvent,
    APIGatewayAuthorizerResponse,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from invoicing.auth.principal import Principal
from invoicing.auth.route_access import statements_for
from invoicing.errors import AuthenticationFailed

function = Function(AuthorizerServices)
logger = function.logger


class Unauthorized(Exception):
    """API Gateway recognises a refusal by this exact message."""

    def __init__(self) -> None:
        super().__init__("Unauthorized")


def _policy(event: APIGatewayAuthorizerRequestEvent, principal: Principal) -> dict[str, object]:
    """Allow what the caller's scopes open, deny the rest; the caller in the context."""
    arn = event.parsed_arn
    policy = APIGatewayAuthorizerResponse(
        principal_id=principal.subject,
        region=arn.region,
        aws_account_id=arn.aws_account_id,
        api_id=arn.api_id,
        stage=arn.stage,
        context=principal.to_authorizer_context(),
    )
    for statement in statements_for(principal.scopes):
        if statement.effect == "Allow":
            policy.allow_route(statement.method, statement.resource)
        else:
            policy.deny_route(statement.method, statement.resource)
    return policy.asdict()


@function.entry_point
@event_source(data_class=APIGatewayAuthorizerRequestEvent)
def lambda_handler(event: APIGatewayAuthorizerRequestEvent, context: LambdaContext) -> dict[str, object]:
    logger.set_correlation_id(event.request_context.request_id)
    try:
        principal = function.services.authenticator.authenticate(event.headers.get("Authorization"))
    except AuthenticationFailed as refusal:
        logger.info("authentication refused", extra={"reason": refusal.message})
        function.metrics.add_metric(name="AuthenticationRefused", unit=MetricUnit.Count, value=1)
        raise Unauthorized from None
    logger.info("authenticated", extra={"tenant_id": principal.tenant_id, "method": principal.auth_method})
    return _policy(event, principal)
