"""Mail events: SES delivery, bounce and complaint notifications (through SNS) recorded on invoices.

What a notification changes is `invoicing.mail.reports.DeliveryReports`: one event per outcome on
the invoice, recorded once however often SNS delivers it; hard bounces and complaints suppress the
address; a notification not of the mail its tags name is ignored.
"""

from invoicing.wiring.function import Function
from invoicing.wiring.services import MailEventServices

from typing import Any

from aws_lambda_powertools.utilities.data_classes import SNSEvent
from aws_lambda_powertools.utilities.typing import LambdaContext

function = Function(MailEventServices)
services = function.services


@function.entry_point
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> None:
    for record in SNSEvent(event).records:
        services.delivery_reports.record(record.sns.message, record.sns.message_id)
