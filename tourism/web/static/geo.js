// The visitor's position, only when they share it; kept for the visit, never sent elsewhere.
const KEY = 'foodtour.position';

export function knownPosition() {
  try {
    const position = JSON.parse(sessionStorage.getItem(KEY) || 'null');
    return position && Date.now() - position.at < 10 * 60 * 1000 ? position : null;
  } catch {
    return null;
  }
}

export function locate() {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) {
      reject(new Error('unsupported'));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      ({ coords }) => {
        const position = {
          lat: Number(coords.latitude.toFixed(6)),
          lon: Number(coords.longitude.toFixed(6)),
          at: Date.now(),
        };
        try { sessionStorage.setItem(KEY, JSON.stringify(position)); } catch { /* not kept */ }
        resolve(position);
      },
      reject,
      { enableHighAccuracy: false, timeout: 10000, maximumAge: 300000 },
    );
  });
}

// Without asking: the position when the visitor already allowed it for this site.
export async function quietPosition() {
  const known = knownPosition();
  if (known) return known;
  try {
    const permission = await navigator.permissions?.query({ name: 'geolocation' });
    if (permission?.state === 'granted') return await locate();
  } catch { /* no permissions API, or no position: no distances */ }
  return null;
}
