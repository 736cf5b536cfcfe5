#!/usr/bin/env python3
"""Tongxin's Open311 door, driven by independent client libraries from PyPI.

civicbot (JSON) lists the services, files a request and reads it back; georeport (XML,
parsed with xmltodict) reads the same request and the service list in XML.

Usage: smoke.py BASE_URL JURISDICTION_ID API_KEY SERVICE_CODE LAT LONG
Prints the new request's id on the last line.
"""
import sys

from civicbot import Endpoint, HttpError, Open311Client, Open311Error, ValidationError
from civicbot.http import HttpTransport, RateLimiter
from georeport import GeoReport

base_url, jurisdiction, api_key, code, lat, lng = sys.argv[1:7]

endpoint = Endpoint(id="tongxin", name="Tongxin", base_url=base_url, write=True, api_key_required_for_write=True)
transport = HttpTransport(user_agent="tongxin-ci/1", timeout=10.0, rate_limiter=RateLimiter(min_interval=0.0))
client = Open311Client(endpoint, transport=transport, jurisdiction_id=jurisdiction, fmt="json")

try:
    services = client.list_services()
    codes = [s["service_code"] for s in services]
    assert code in codes, codes
    prepared = client.create_request(
        code,
        dry_run=False,
        confirm="SEND",
        api_key=api_key,
        lat=float(lat),
        lng=float(lng),
        description="路口垃圾桶满溢，垃圾散落一地（Open311 客户端测试）",
    )
    first = prepared.response[0]
    request_id = first["service_request_id"]
    got = client.get_request(request_id)
    assert got is not None and got["service_request_id"] == request_id, got
    assert got["service_code"] == code and got["status"] == "open", got
    assert got["description"].startswith("路口垃圾桶满溢"), got
except ValidationError as e:
    sys.exit(f"civicbot refused the request: {e.problems}")
except HttpError as e:
    sys.exit(f"HTTP {e.status} from {e.url}: {e.body}")
except Open311Error as e:
    sys.exit(f"open311 error: {e}")

# The same, read in XML by another library.
xml = GeoReport(base_url, jurisdiction=jurisdiction, output_format="xml")
listed = xml.get_service_list()
print("georeport services:", type(listed).__name__)
read = xml.get_service_request(request_id)
print("georeport request:", read)
assert str(read["service_request_id"]) == request_id, read
assert read["status"] == "open", read
print(request_id)
