// Location: GPS/network fixes (LocationManager, Location), geocoding, and SDK location objects.
import { type Call, defaultRead, type HandlerTable } from "../lib/hooks.js";
import { asRuntime, getter, ids } from "../lib/render.js";

function latLon(location: any): string | null {
  if (location === null || location === undefined) {
    return null;
  }
  const fix = asRuntime(location);
  const lat = getter(fix, "getLatitude");
  const lon = getter(fix, "getLongitude");
  return typeof lat === "number" && typeof lon === "number" ? `${lat},${lon}` : null;
}

/** A method returning a Location (getLastKnownLocation, ...): its "lat,lon". */
function locationResult(call: Call) {
  const outcome = defaultRead(call);
  if (call.threw !== undefined) {
    return outcome;
  }
  const point = latLon(call.ret);
  return { ...outcome, value: point ?? outcome.value, identifiers: ids("location", [point]) };
}

/** Location.getLatitude()/getLongitude() (and SDK location classes): the fix's "lat,lon". */
function coordinate(call: Call) {
  const outcome = defaultRead(call);
  return { ...outcome, identifiers: ids("location", [latLon(call.self)]) };
}

/** Geocoder.getFromLocation(lat, lon, max): the coordinates being looked up. */
function geocoder(call: Call) {
  const outcome = defaultRead(call);
  const [lat, lon] = call.args;
  if (typeof lat === "number" && typeof lon === "number") {
    return { ...outcome, args: { latitude: lat, longitude: lon }, identifiers: ids("location", [`${lat},${lon}`]) };
  }
  return outcome;
}

export const handlers: HandlerTable = {
  location_result: { kind: "data", read: locationResult },
  coordinate: { kind: "data", read: coordinate },
  geocoder: { kind: "data", read: geocoder },
};
