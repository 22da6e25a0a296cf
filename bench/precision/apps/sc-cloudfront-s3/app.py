"""CloudFrontToS3, instantiated the way the pattern's documentation shows it.

Source: the construct library aws-solutions-constructs.aws-cloudfront-s3 2.105.0
(PyPI; Apache-2.0; awslabs/aws-solutions-constructs,
the pattern's README.adoc). Every resource below is the library's; this driver only passes
the props its README example passes. Offline: function code from the local lambda/
folder (no bundling), no lookups, environment-agnostic stack.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_solutions_constructs.aws_cloudfront_s3 import CloudFrontToS3

app = cdk.App()
stack = cdk.Stack(app, "ScCloudfrontS3Stack")
CloudFrontToS3(stack, "test-cloudfront-s3")
app.synth()
