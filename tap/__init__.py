"""tap: the IoT traffic analytics pipeline (AWS CDK v2) and the rule pack that guards it.

Import what you need from its module (``tap.stack.TapStack``, ``tap.props.TapStackProps``,
``tap.config.load_props``): this package stays import-light so that ``python -m tap.rules``
does not load the CDK.
"""

__version__ = "0.1.0"
