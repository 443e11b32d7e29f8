import pytest

from verzuim.accounts.user_agents import describe

CHROME_WIN = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0 Safari/537.36"
)
EDGE_WIN = CHROME_WIN + " Edg/120.0"
SAFARI_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)
FIREFOX_LINUX = "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"


@pytest.mark.parametrize(
    "ua, expected",
    [
        (CHROME_WIN, ("Chrome", "Windows")),
        (EDGE_WIN, ("Edge", "Windows")),
        (SAFARI_IPHONE, ("Safari", "iPhone")),
        (FIREFOX_LINUX, ("Firefox", "Linux")),
        ("", ("", "")),
        ("curl/8.0", ("", "")),
    ],
)
def test_describe(ua, expected):
    assert describe(ua) == expected
