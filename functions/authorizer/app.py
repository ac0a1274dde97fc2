"""Lambda REQUEST authorizer: Bearer JWTs and Basic API keys -> tenant, client id, subject, scopes.

Refusals raise `Unauthorized`, which API Gateway turns into its UNAUTHORIZED gateway response (401).
An accepted caller gets a policy covering the whole API (`invoicing.auth.route_access`): the routes
its scopes open are allowed, the rest denied (403 ACCESS_DENIED). API Gateway caches that decision
per Authorization header (ReauthorizeEvery, 300 s), so an API key revoked or expired meanwhile keeps
its cached Allow until that entry ends; every fresh check reads the key and refuses it.
"""

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.data_classes import event_source
from aws_lambda_powertools.utilities.data_classes.api_gateway_authorizer_event import (
    APIGatewayAuthorizerRequestEvent,
    APIGatewayAuthorizerResponse,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from invoicing.adapters.tenant_store import DynamoTenantRepository
from invoicing.adapters.token_keys import JwksKeys, SigningSecret
from invoicing.auth.authenticator import Authenticator
from invoicing.auth.route_access import statements_for
from invoicing.auth.tokens import ASYMMETRIC_ALGORITHMS, HMAC_ALGORITHM, TokenPolicy
from invoicing.errors import AuthenticationFailed
from invoicing.settings import TableSettings, load_settings


class AuthorizerSettings(TableSettings):
    token_secret_arn: str
    jwt_issuer: str
    jwt_audience: str
    jwks_url: str = ""


class Unauthorized(Exception):
    """API Gateway recognises a refusal by this exact message."""

    def __init__(self) -> None:
        super().__init__("Unauthorized")


def build_authenticator(settings: AuthorizerSettings) -> Authenticator:
    external_issuer = bool(settings.jwks_url)
    return Authenticator(
        tenants=DynamoTenantRepository(settings.table_name),
        token_policy=TokenPolicy(
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            algorithms=ASYMMETRIC_ALGORITHMS if external_issuer else (HMAC_ALGORITHM,),
        ),
        resolve_token_key=(
            JwksKeys(settings.jwks_url).resolver()
            if external_issuer
            else SigningSecret(settings.token_secret_arn).resolver()
        ),
    )


settings = load_settings(AuthorizerSettings)
logger = Logger()
tracer = Tracer()
metrics = Metrics()
authenticator = build_authenticator(settings)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
@event_source(data_class=APIGatewayAuthorizerRequestEvent)
def lambda_handler(event: APIGatewayAuthorizerRequestEvent, context: LambdaContext) -> dict[str, object]:
    logger.set_correlation_id(event.request_context.request_id)
    try:
        principal = authenticator.authenticate(event.headers.get("Authorization"))
    except AuthenticationFailed as refusal:
        logger.info("authentication refused", extra={"reason": refusal.message})
        metrics.add_metric(name="AuthenticationRefused", unit=MetricUnit.Count, value=1)
        raise Unauthorized from None
    logger.info("authenticated", extra={"tenant_id": principal.tenant_id, "method": principal.auth_method})
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
