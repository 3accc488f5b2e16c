'use strict';
// The story form reads its times on the clock of the region chosen in the form (the server does
// the same with the posted region). When the editor picks another region, the zone named beside
// each time field follows, so "15:15" is never typed on the wrong clock.
window.addEventListener('load', () => {
    const zonesElement = document.getElementById('region-zones');
    const select = document.getElementById('id_region');
    if (!zonesElement || !select) {
        return;
    }
    const zones = JSON.parse(zonesElement.textContent);
    const show = () => {
        const zone = zones[select.value];
        if (zone) {
            document.querySelectorAll('.region-clock').forEach((label) => {
                label.textContent = zone;
            });
        }
    };
    // The region box is select2 (the admin's autocomplete), which reports through jQuery.
    if (window.django && django.jQuery) {
        django.jQuery(select).on('change', show);
    } else {
        select.addEventListener('change', show);
    }
});
