"""Globals applied to a function's properties the way SAM applies them."""

from pathlib import Path

from devtools.template import ROOT, LocalDeployment, local_deployment

TEMPLATE = {
    "Globals": {
        "Function": {
            "Runtime": "python3.13",
            "MemorySize": 512,
            "Layers": [{"Ref": "SharedLayer"}],
            "Environment": {"Variables": {"STAGE": "dev", "LEVEL": "INFO"}},
        }
    },
    "Resources": {
        "SharedLayer": {
            "Type": "AWS::Serverless::LayerVersion",
            "Properties": {"ContentUri": "layers/shared/"},
        },
        "PdfLayer": {"Type": "AWS::Serverless::LayerVersion", "Properties": {"ContentUri": "layers/pdf/"}},
        "PlainFunction": {
            "Type": "AWS::Serverless::Function",
            "Properties": {"CodeUri": "functions/plain/"},
        },
        "RenderingFunction": {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "CodeUri": "functions/rendering/",
                "MemorySize": 1024,
                "Layers": [{"Ref": "PdfLayer"}, "arn:aws:lambda:eu-west-1:123456789012:layer:other:1"],
                "Environment": {"Variables": {"LEVEL": "DEBUG"}},
            },
        },
    },
}


def test_a_functions_layers_follow_the_global_ones_instead_of_replacing_them():
    deployment = LocalDeployment(TEMPLATE, base_dir=Path("/repo"))

    properties = deployment.function_properties("RenderingFunction")

    assert properties["Layers"] == [
        {"Ref": "SharedLayer"},
        {"Ref": "PdfLayer"},
        "arn:aws:lambda:eu-west-1:123456789012:layer:other:1",
    ]
    assert properties["MemorySize"] == 1024
    assert properties["Environment"] == {"Variables": {"STAGE": "dev", "LEVEL": "DEBUG"}}
    assert deployment.function_layer_directories("RenderingFunction") == [
        Path("/repo/layers/shared/"),
        Path("/repo/layers/pdf/"),
    ]
    assert deployment.function_properties("PlainFunction")["Layers"] == [{"Ref": "SharedLayer"}]
    assert TEMPLATE["Globals"]["Function"]["Layers"] == [{"Ref": "SharedLayer"}]


def test_only_the_rendering_functions_carry_the_pdf_layer():
    deployment = local_deployment()
    pdf_layer = ROOT / "layers" / "pdf"

    carriers = {
        logical_id
        for logical_id in deployment.functions
        if pdf_layer in deployment.function_layer_directories(logical_id)
    }

    # the hosted page renders an invoice's PDF when its customer downloads it before anyone else did
    assert carriers == {"DocumentsFunction", "DeliveryWorkerFunction", "PublicPageFunction"}
    assert deployment.function_layer_directories("DocumentsFunction") == [
        ROOT / "layers" / "shared",
        pdf_layer,
    ]
