"""Red and dark pixels of a page image, with Pillow only (no numpy): what the OFD readers' pages are measured by.

A pixel is red where R > 150, G < 120, B < 120 (the mark's and the seal's 230 0 18, also at the seal's 85 %
opacity over white or over black text); dark where its grey is < 192 and it is not reddish (a 0.25 mm rule
anti-aliased, a 附件 page's hairline frame in its image, but not the red mark's anti-aliased edges).
"""

from __future__ import annotations

from typing import Any


def red_mask(image: Any) -> Any:
    """255 where the pixel is red (the mark's and the seal's colour), else 0."""
    from PIL import ImageChops

    red, green, blue = image.split()
    high = red.point(lambda v: 255 if v > 150 else 0)
    low_g = green.point(lambda v: 255 if v < 120 else 0)
    low_b = blue.point(lambda v: 255 if v < 120 else 0)
    return ImageChops.multiply(ImageChops.multiply(high, low_g), low_b)


def dark_mask(image: Any) -> Any:
    """255 where the pixel is dark and not reddish (black text and rules, a 附件 page's grey): the red mark's
    anti-aliased edges are left out, they are measured as red."""
    from PIL import ImageChops

    red, green, blue = image.split()
    dark = image.convert("L").point(lambda v: 255 if v < 192 else 0)
    over_green = ImageChops.subtract(red, green).point(lambda v: 255 if v > 50 else 0)
    over_blue = ImageChops.subtract(red, blue).point(lambda v: 255 if v > 50 else 0)
    return ImageChops.subtract(dark, ImageChops.multiply(over_green, over_blue))


def count(mask: Any) -> int:
    return int(mask.histogram()[255])
