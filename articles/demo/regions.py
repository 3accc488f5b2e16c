"""The network: the cities the demo newsroom reports from, each on its own clock."""

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoRegion:
    name: str
    slug: str
    time_zone: str
    in_city: str  # «в Самаре»: where something happens
    of_city: str  # «Самары»: whose it is
    description: str
    weight: int  # share of the network's stories
    is_active: bool = True


REGIONS = (
    DemoRegion(
        "Калининград",
        "kaliningrad",
        "Europe/Kaliningrad",
        "в Калининграде",
        "Калининграда",
        "Самый западный город страны: янтарь, Балтика и Куршская коса.",
        10,
    ),
    DemoRegion(
        "Москва",
        "moscow",
        "Europe/Moscow",
        "в Москве",
        "Москвы",
        "Столица: транспорт, стройки, городские проекты и новости всех округов.",
        20,
    ),
    DemoRegion(
        "Казань",
        "kazan",
        "Europe/Moscow",
        "в Казани",
        "Казани",
        "Столица Татарстана: Волга, Кремль, IT-парки и большой спорт.",
        12,
    ),
    DemoRegion(
        "Самара",
        "samara",
        "Europe/Samara",
        "в Самаре",
        "Самары",
        "Волжская набережная, авиационные заводы и долгий летний сезон на реке.",
        10,
    ),
    DemoRegion(
        "Екатеринбург",
        "ekaterinburg",
        "Asia/Yekaterinburg",
        "в Екатеринбурге",
        "Екатеринбурга",
        "Урал: заводы, конструктивизм, театры и граница Европы и Азии.",
        12,
    ),
    DemoRegion(
        "Пермь",
        "perm",
        "Asia/Yekaterinburg",
        "в Перми",
        "Перми",
        "Кама, балет, заводы и весь Пермский край.",
        6,
    ),
    DemoRegion(
        "Омск",
        "omsk",
        "Asia/Omsk",
        "в Омске",
        "Омска",
        "Иртыш, нефтехимия, хоккей и настоящая сибирская зима.",
        6,
    ),
    DemoRegion(
        "Новосибирск",
        "novosibirsk",
        "Asia/Novosibirsk",
        "в Новосибирске",
        "Новосибирска",
        "Крупнейший город Сибири: наука Академгородка и метро через Обь.",
        12,
    ),
    DemoRegion(
        "Красноярск",
        "krasnoyarsk",
        "Asia/Krasnoyarsk",
        "в Красноярске",
        "Красноярска",
        "Енисей, «Столбы», алюминий и сибирские расстояния.",
        8,
    ),
    DemoRegion(
        "Владивосток",
        "vladivostok",
        "Asia/Vladivostok",
        "во Владивостоке",
        "Владивостока",
        "Тихоокеанский порт: мосты, бухты и время на семь часов впереди.",
        8,
    ),
    DemoRegion(
        "Мурманск",
        "murmansk",
        "Europe/Moscow",
        "в Мурманске",
        "Мурманска",
        "Заполярье: порт и полярная ночь. Редакция на паузе, материалы скрыты от читателей.",
        1,
        is_active=False,
    ),
)
