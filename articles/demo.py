"""A believable demo newsroom, generated on the spot: regions, authors, a photo library, stories.

Why generate rather than ship a fixture: real news would copy other publications' words and
pictures, and a fixture big enough to load-test listings (100,000 stories) would weigh hundreds of
megabytes. Everything here comes from word lists written for this project and pictures drawn with
Pillow, driven by one seeded `random.Random`, so two runs with the same seed tell the same stories
(only the dates, which follow the clock, and the photo file names differ).

Stories go in with `bulk_create` in batches that double in size up to `batch_size`. A story links
(inline and in its teaser block) only to stories already in the database, whose ids and so
canonical URLs are known; doubling lets the second story link to the first while big runs still
insert thousands of rows per batch.
"""

import colorsys
import datetime
import io
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.html import escape
from PIL import Image, ImageDraw, ImageFilter

from .models import Article, ArticleAuthor, Author, Photo, Region, RelatedLink, Tag, TaggedArticle
from .slugs import slugify_ru

# The admin account of the demo. Demo-only: documented in the README, never for a real site.
DEMO_USERNAME = "editor"
DEMO_PASSWORD = "newsroom-demo"  # noqa: S105 - a published demo password, not a secret

DEFAULT_ARTICLES = 500
DEFAULT_PHOTOS = 40
DEFAULT_PHOTO_WIDTH = 1600  # 1600x1067, the 3:2 frame of a camera
DEFAULT_BATCH_SIZE = 2000
AUTHOR_COUNT = 24
PHOTOGRAPHER = "фотокорреспондент"


def _words(text: str) -> tuple[str, ...]:
    """A word list written as `a | b | c`: long lists stay readable and compact."""
    return tuple(item.strip() for item in text.split("|") if item.strip())


# --- The network --------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class Topic:
    """A beat: the words its stories are written from and the tags they carry."""

    about: str  # «о транспорте»: what an author of this beat writes about
    tags: tuple[str, ...]
    officials: tuple[str, ...]
    headlines: tuple[str, ...]
    facts: tuple[str, ...]
    quotes: tuple[str, ...]
    items: tuple[str, ...]


# Templates take `{slots}` (see _SLOT_MAKERS); `{n:день/дня/дней}` agrees a noun with number n,
# and a capitalised slot (`{V_gorode}`) is the same words with a capital letter.
TOPICS = (
    Topic(
        about="о транспорте и дорогах",
        tags=_words("транспорт | общественный транспорт | дороги | трамвай | парковки | аэропорт"),
        officials=_words(
            "руководитель департамента транспорта | заместитель мэра по транспорту"
            " | глава управления дорожного хозяйства"
        ),
        headlines=_words(
            "{V_gorode} запустят {count} {count:новый автобусный маршрут/новых автобусных маршрута"
            "/новых автобусных маршрутов} | Движение {street} ограничат на {days} {days:день/дня"
            "/дней} | Трамвайные пути {street} отремонтируют за {money}"
            " | {V_gorode} подорожает проезд в общественном транспорте"
            " | Аэропорт {goroda} открыл новое направление | Мэрия {goroda} закупит {count} "
            "{count:электробус/электробуса/электробусов}"
        ),
        facts=_words(
            "Работы начнутся {when} и займут около {days} {days:дня/дней/дней}."
            " | На обновление транспортной сети из бюджета выделили {money}."
            " | Пассажиропоток на этом направлении за год вырос на {percent}."
            " | Интервалы в часы пик обещают сократить до {minutes} {minutes:минуты/минут/минут}."
            " | Схему объезда опубликовали на сайте администрации."
            " | Подрядчика выбрали на конкурсе, контракт рассчитан до конца {year} года."
        ),
        quotes=_words(
            "Неудобства неизбежны, но без ремонта дорога не переживёт ещё одну зиму"
            " | Маршрутную сеть не меняли больше десяти лет, а город за это время вырос"
            " | Новые машины тише, теплее и доступны для колясок — об этом просили пассажиры"
        ),
        items=_words(
            "перекрытие начнётся {when} | автобусы пойдут в объезд | парковка {street} будет "
            "запрещена | схема движения вывешена на остановках | работы закончат в {year} году"
        ),
    ),
    Topic(
        about="о городской среде и ЖКХ",
        tags=_words("благоустройство | ЖКХ | парки | стройка | отопление | дворы"),
        officials=_words(
            "директор департамента городского хозяйства | главный архитектор города"
            " | глава районной администрации"
        ),
        headlines=_words(
            "Набережную {goroda} благоустроят к следующему лету"
            " | {V_gorode} откроют обновлённый сквер {district}"
            " | Жители {count} {count:дома/домов/домов} {district} остались без горячей воды"
            " | Отопительный сезон {v_gorode} начнётся раньше обычного"
            " | Проект нового парка {district} вынесут на общественные слушания"
            " | Во дворах {goroda} установят {count} {count:детскую площадку/детские площадки"
            "/детских площадок}"
        ),
        facts=_words(
            "Проект обсуждали с жителями на {count2} {count2:встрече/встречах/встречах}."
            " | Смета работ составляет {money}, часть денег выделит региональный бюджет."
            " | Коммунальщики обещают всё исправить в течение {days} {days:дня/дней/дней}."
            " | В управляющей компании сообщили, что заявки жителей принимают круглосуточно."
            " | Работы ведутся {street}, там уже поставили временные ограждения."
        ),
        quotes=_words(
            "Мы хотим, чтобы это место стало продолжением двора, а не площадью с плиткой"
            " | Сети здесь изношены на {percent}, латать их бесконечно уже невозможно"
            " | Пожелания, которые прозвучали на встречах с жителями, мы постарались учесть"
        ),
        items=_words(
            "новые скамейки и освещение | дорожки вместо стихийных тропинок | площадка "
            "для выгула собак | деревья вместо газона | велопарковки у входа"
        ),
    ),
    Topic(
        about="об экономике и бизнесе",
        tags=_words("экономика | бизнес | бюджет | инвестиции | рынок труда | цены"),
        officials=_words(
            "министр экономического развития региона | глава регионального агентства"
            " инвестиций | председатель комитета по бюджету городской думы"
        ),
        headlines=_words(
            "Бюджет {goroda} на следующий год вырастет на {percent}"
            " | {V_gorode} построят завод стоимостью {money}"
            " | Средняя зарплата {v_gorode} выросла на {percent} за год"
            " | Малый бизнес {goroda} получит {money} на льготные кредиты"
            " | {V_gorode} открылся технопарк для {count2} {count2:резидента/резидентов/резидентов}"
        ),
        facts=_words(
            "По данным статистиков, показатель вырос на {percent} к прошлому году."
            " | Инвестор обещает создать {jobs} {jobs:рабочее место/рабочих места/рабочих мест}."
            " | Первые результаты в администрации ждут не раньше {year} года."
            " | Экономисты связывают рост с подорожанием логистики."
            " | Заявки принимают до конца месяца на региональном портале госуслуг."
        ),
        quotes=_words(
            "Предприятия снова готовы вкладываться в производство, а не только пережидать"
            " | Цифры хорошие, но важно, чтобы рост дошёл до кошелька обычной семьи"
            " | Без новых рабочих мест никакие программы не удержат молодых людей в городе"
        ),
        items=_words(
            "льготные кредиты | субсидии на оборудование | компенсация аренды для "
            "новичков | бесплатные консультации юристов | заявка в один клик"
        ),
    ),
    Topic(
        about="о культуре",
        tags=_words("культура | театр | музеи | концерты | выставки | кино"),
        officials=_words(
            "директор краеведческого музея | художественный руководитель драмтеатра"
            " | руководитель управления культуры"
        ),
        headlines=_words(
            "Музей {goroda} покажет коллекцию, которую не выставляли {years} {years:год/года/лет}"
            " | Драмтеатр {goroda} откроет сезон премьерой"
            " | {V_gorode} пройдёт фестиваль уличной музыки"
            " | Библиотека {goroda} переедет в отреставрированный особняк"
            " | Выставку {v_gorode} за выходные посетили {visitors} {visitors:человек/человека"
            "/человек} | Кинотеатр {street} снова откроется после ремонта"
        ),
        facts=_words(
            "Вход будет бесплатным, но места советуют бронировать заранее."
            " | Реставрация здания обошлась в {money}."
            " | Экспозиция будет работать до конца {year} года."
            " | Часть программы подготовили студенты местного колледжа искусств."
            " | Билеты на первые показы разошлись за {days} {days:день/дня/дней}."
        ),
        quotes=_words(
            "Мы хотели показать город таким, каким его не видели даже старожилы"
            " | Зритель изменился, и театр обязан с ним разговаривать"
            " | Эти предметы много лет пролежали в запасниках, и наконец для них нашлось место"
        ),
        items=_words(
            "экскурсии по выходным | лекции для школьников | вечерние показы по "
            "четвергам | бесплатный вход раз в месяц | аудиогид на двух языках"
        ),
    ),
    Topic(
        about="о спорте",
        tags=_words("спорт | футбол | хоккей | марафон | баскетбол | детский спорт"),
        officials=_words(
            "главный тренер команды | министр спорта региона | директор спортивной школы"
        ),
        headlines=_words(
            "Хоккеисты {goroda} одержали {count} {count:победу/победы/побед} подряд"
            " | {V_gorode} пройдёт полумарафон: какие улицы перекроют"
            " | Стадион {street} закроют на реконструкцию"
            " | Гимнастки из {goroda} привезли {count} {count:медаль/медали/медалей} с первенства"
            " | Футбольный клуб {goroda} сменил главного тренера"
        ),
        facts=_words(
            "Участие в забеге подтвердили более {runners} {runners:бегуна/бегунов/бегунов}."
            " | Ремонт спортивного объекта обойдётся в {money}."
            " | Следующий матч команда проведёт {when} на домашней арене."
            " | Тренировки в детских секциях остаются бесплатными."
            " | Болельщиков просят приходить заранее: на входе будет досмотр."
        ),
        quotes=_words(
            "Ребята выдержали сумасшедший темп, и я ими горжусь"
            " | Нам нужна база, чтобы талантливые дети не уезжали в другие города"
            " | Трасса быстрая, так что ждём хороших результатов"
        ),
        items=_words(
            "старт в девять утра | пункты питания каждые пять километров | детский "
            "забег | медали всем финишёрам | бесплатная парковка для участников"
        ),
    ),
    Topic(
        about="об образовании",
        tags=_words("образование | школы | детские сады | университеты | ЕГЭ | наука"),
        officials=_words(
            "руководитель департамента образования | ректор университета | директор школы"
        ),
        headlines=_words(
            "{V_gorode} построят школу на {places} {places:место/места/мест}"
            " | Выпускники {goroda} сдали ЕГЭ лучше прошлогоднего"
            " | Детские сады {goroda} начали приём заявлений на следующий год"
            " | Университет {goroda} открыл набор на новую инженерную программу"
            " | Учёные из {goroda} получили грант на изучение сибирских лесов"
        ),
        facts=_words(
            "Строительство планируют завершить к 1 сентября {year} года."
            " | Конкурс составил {count2} {count2:человек/человека/человек} на место."
            " | Средний балл вырос на {small} {small:балл/балла/баллов}."
            " | Родителей просят проверять статус заявлений в личном кабинете."
            " | Часть занятий пройдёт на площадках предприятий-партнёров."
        ),
        quotes=_words(
            "Школа рассчитана на вырост: микрорайон строится, и детей будет только больше"
            " | Мы учим не сдавать экзамен, а думать, и результаты это подтверждают"
            " | Промышленности нужны инженеры, и мы готовим их вместе с работодателями"
        ),
        items=_words(
            "бассейн и два спортзала | лаборатории физики и химии | отдельное крыло для "
            "начальной школы | просторная столовая | безбарьерная среда"
        ),
    ),
    Topic(
        about="о медицине и здоровье",
        tags=_words("здравоохранение | поликлиники | больницы | вакцинация | скорая помощь"),
        officials=_words(
            "министр здравоохранения региона | главный врач городской больницы"
            " | руководитель поликлиники"
        ),
        headlines=_words(
            "{V_gorode} откроют новую поликлинику {district}"
            " | Городская больница {goroda} получила новый томограф"
            " | Очереди к узким специалистам {v_gorode} обещают сократить вдвое"
            " | {V_gorode} стартовала сезонная вакцинация от гриппа"
            " | Скорая помощь {goroda} получит {count} {count:новый автомобиль/новых автомобиля"
            "/новых автомобилей}"
        ),
        facts=_words(
            "Записаться к врачу можно через портал или по телефону колл-центра."
            " | Оборудование закупили за {money}."
            " | В штате — {doctors} {doctors:врач/врача/врачей}, ещё несколько вакансий открыто."
            " | Прививку можно сделать бесплатно в поликлинике по месту прикрепления."
            " | Время ожидания скорой, по данным минздрава, сократилось на {percent}."
        ),
        quotes=_words(
            "Раньше на обследование приходилось ездить в соседний город, теперь всё есть здесь"
            " | Наша задача — чтобы к врачу можно было попасть за неделю, а не за месяц"
            " | Прививка по-прежнему самый простой способ не заболеть в разгар сезона"
        ),
        items=_words(
            "приём терапевта и педиатра | дневной стационар | кабинет УЗИ | электронная "
            "запись | работа по субботам"
        ),
    ),
    Topic(
        about="о происшествиях",
        tags=_words("происшествия | пожар | ДТП | МЧС | полиция"),
        officials=_words(
            "начальник пресс-службы регионального МЧС | представитель ГИБДД"
            " | руководитель поисково-спасательного отряда"
        ),
        headlines=_words(
            "{V_gorode} из-за пожара эвакуировали {count2} {count2:человека/человек/человек}"
            " | Массовое ДТП {street} парализовало движение в центре {goroda}"
            " | {V_gorode} ищут пропавшего грибника"
            " | {V_gorode} ночью загорелся склад {district}"
            " | МЧС предупредило жителей {goroda} о сильном ветре"
        ),
        facts=_words(
            "На месте работали {count} {count:пожарный расчёт/пожарных расчёта/пожарных расчётов}."
            " | Никто не пострадал, причины происшествия выясняют."
            " | Движение восстановили через {hours} {hours:час/часа/часов}."
            " | Очевидцы выложили видео в городские телеграм-каналы."
            " | Полиция просит свидетелей позвонить по номеру 112."
        ),
        quotes=_words(
            "Огонь удалось локализовать быстро, потому что соседи сразу вызвали пожарных"
            " | Просим водителей не выезжать без необходимости, пока работают экстренные службы"
            " | Поиски продолжаются, к ним подключились добровольцы"
        ),
        items=_words(
            "не паркуйтесь под деревьями | держите телефон заряженным | не выходите на "
            "лёд | при запахе дыма звоните 112 | следите за сообщениями МЧС"
        ),
    ),
    Topic(
        about="о природе и погоде",
        tags=_words("экология | погода | природа | заповедники | мусор | животные"),
        officials=_words(
            "синоптик регионального гидрометцентра | директор национального парка"
            " | министр природных ресурсов региона"
        ),
        headlines=_words(
            "Синоптики обещают {v_gorode} жару до {heat}"
            " | Морозы до {frost} ожидаются {v_gorode} на выходных"
            " | {V_gorode} стартовал раздельный сбор мусора"
            " | В окрестностях {goroda} заметили редких птиц"
            " | Волонтёры вывезли с берега реки {tons} {tons:тонну/тонны/тонн} мусора"
            " | В окрестностях {goroda} откроют новую экотропу"
        ),
        facts=_words(
            "Такая погода продержится ещё {days} {days:день/дня/дней}."
            " | Контейнеры для пластика и стекла уже стоят в {count2} {count2:дворе/дворах/дворах}."
            " | Длина экотропы — почти {km} {km:километр/километра/километров}."
            " | Орнитологи просят не подходить к птицам и не подкармливать их."
            " | Собранный мусор отправят на сортировку, часть пойдёт в переработку."
        ),
        quotes=_words(
            "Такой температуры в это время года не было лет двадцать"
            " | Люди сортируют охотнее, чем мы думали, главное — поставить контейнеры рядом"
            " | Природа вокруг города богаче, чем кажется, надо только знать, куда смотреть"
        ),
        items=_words(
            "пейте больше воды | не оставляйте детей в машинах | пластик — в жёлтый "
            "контейнер | стекло — в зелёный | не разводите костры в лесу"
        ),
    ),
)

GENERAL_TAGS = _words(
    "мэрия | губернатор | жители | инфраструктура | эксклюзив | интервью"
    " | фоторепортаж | расследование | история города | выходные | молодёжь"
    " | туризм | волонтёры"
)

WHEN = _words(
    "в понедельник | во вторник | в среду | в четверг | в пятницу | в субботу"
    " | в воскресенье | на следующей неделе | в ближайшие дни"
)
STREET_KINDS = ("на улице", "на улице", "на улице", "на проспекте", "на бульваре")
STREET_NAMES = _words(
    "Гагарина | Мира | Пушкина | Чкалова | Королёва | Циолковского | Кирова"
    " | Маяковского | Лермонтова | Свободы | Победы | Строителей | Космонавтов"
)
DISTRICTS = _words(
    "Солнечный | Юбилейный | Северный | Радужный | Зелёная Роща | Берёзовый"
    " | Заречный | Восточный | Садовый | Парковый"
)

MALE_NAMES = _words(
    "Алексей | Дмитрий | Сергей | Андрей | Михаил | Иван | Никита | Павел"
    " | Артём | Кирилл | Егор | Олег"
)
FEMALE_NAMES = _words(
    "Анна | Мария | Екатерина | Ольга | Наталья | Елена | Дарья | Ксения"
    " | Юлия | Татьяна | Алина | Вера"
)
SURNAMES = _words(
    "Смирнов | Кузнецов | Попов | Васильев | Соколов | Михайлов | Новиков"
    " | Фёдоров | Морозов | Волков | Алексеев | Лебедев | Семёнов | Егоров | Павлов"
    " | Козлов | Степанов | Николаев | Орлов | Андреев | Макаров | Никитин"
    " | Захаров | Зайцев | Соловьёв | Борисов | Яковлев | Григорьев | Романов"
)
SAID = (
    ("сказал", "сказала"),
    ("сообщил", "сообщила"),
    ("пояснил", "пояснила"),
    ("отметил", "отметила"),
    ("рассказал", "рассказала"),
)
RESIDENTS = (
    ("местный житель", "местная жительница"),
    ("пенсионер", "пенсионерка"),
    ("студент", "студентка"),
    ("предприниматель", "предприниматель"),
    ("житель соседнего дома", "жительница соседнего дома"),
)
RESIDENT_QUOTES = _words(
    "Мы ждали этого несколько лет, посмотрим, как будет на деле"
    " | Главное, чтобы сделали к зиме, а не как в прошлый раз"
    " | Пока никто толком ничего не объяснил, узнаём всё из новостей"
    " | Если всё получится, район станет гораздо удобнее"
    " | Хочется, чтобы о таких решениях спрашивали и нас"
)
EXPERTS = _words("урбанист | социолог | экономист | руководитель общественной палаты города")
EXPERT_CLAIMS = _words(
    "решение назрело давно, но сроки выглядят слишком оптимистичными"
    " | главное сейчас — прозрачность: жители должны видеть, на что тратятся деньги"
    " | похожие проекты в других городах окупались за несколько лет"
    " | без участия жителей такие перемены редко приживаются"
    " | эффект станет заметен не раньше следующего сезона"
)
SUBHEADS = _words(
    "Что изменится | Сроки и деньги | Что говорят жители | Что дальше"
    " | Подробности | Мнение эксперта | Цифры"
)
LIST_INTROS = _words("Что важно знать: | Главное: | Что предусмотрено:")
LEAD_TAILS = _words(
    "Рассказываем, что это значит для жителей. | Собрали главное."
    " | Подробности — в нашем материале. | Объясняем, кого это коснётся."
)
CLOSINGS = _words(
    "Редакция продолжит следить за ситуацией. | Материал будет дополнен."
    " | Окончательное решение должны принять до конца месяца."
    " | В администрации обещают отчитаться о ходе работ {when}."
)
LINK_SENTENCES = _words(
    "Об этом мы уже писали в материале «{link}». | Предыстория — в нашем "
    "материале «{link}». | Ранее по теме: «{link}»."
)
INTERNAL_KICKERS = ("", "", "", "Pro", "Мнение", "Фото", "Видео", "Контекст")
EXTERNAL_KICKERS = ("", "Контекст", "Партнёры")
EXTERNAL_TITLES = _words(
    "Обзор: как меняются региональные столицы | Исследование: сколько стоит жизнь в миллионниках"
    " | Интервью с урбанистом о будущем спальных районов | Карта: где строят новые дороги"
    " | Справочник: куда звонить, если отключили воду | Календарь летних фестивалей"
    " | Как устроен бюджет большого города | Гид по заповедникам страны"
)
# Reserved example domains (RFC 2606): a demo link never sends a reader to a stranger's site.
EXTERNAL_SITES = ("https://example.org/news", "https://news.example.com", "https://example.net")
_EXTERNAL_SLUGS = {title: slugify_ru(title) for title in EXTERNAL_TITLES}
JOB_TITLES = _words(
    "корреспондент | специальный корреспондент | обозреватель | корреспондент"
    " | редактор отдела новостей | корреспондент | дежурный редактор"
)
EARLIER_JOBS = _words(
    "в городской газете | на региональном телевидении | в информагентстве"
    " | на радио | в пресс-службе университета"
)

# --- Text ---------------------------------------------------------------------------------------


def plural(n: int, one: str, few: str, many: str) -> str:
    """The Russian noun form agreeing with n: 1 день, 2 дня, 5 дней, 21 день, 12 дней."""
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


class _Num(int):
    """A number that formats as its agreeing noun with a spec: f"{n:день/дня/дней}" → "дня"."""

    def __format__(self, spec: str) -> str:
        return plural(self, *spec.split("/")) if "/" in spec else super().__format__(spec)


def _number(low: int, high: int) -> Callable[["_Slots"], _Num]:
    return lambda slots: _Num(slots.rng.randint(low, high))


def _money(slots: "_Slots") -> str:
    rng = slots.rng
    if rng.random() < 0.7:
        return f"{rng.randint(5, 950)} млн рублей"
    return f"{rng.randint(1, 40)},{rng.randint(1, 9)} млрд рублей"


def _person(rng: random.Random) -> tuple[str, bool]:
    female = rng.random() < 0.5
    first = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
    last = rng.choice(SURNAMES)
    return f"{first} {last}{'а' if female else ''}", female


def _speaker(roles: Callable[["_Slots"], tuple[str, ...] | str]):
    """A named person with a role; also fills `<key>_said` with the verb in their gender."""

    def make(slots: "_Slots", key: str) -> str:
        name, female = _person(slots.rng)
        role = roles(slots)
        role = role[female] if isinstance(role, tuple) else role
        slots[f"{key}_said"] = slots.rng.choice(SAID)[female]
        return f"{role} {name}"

    return make


_SLOT_MAKERS = {
    "count": _number(2, 12),
    "count2": _number(2, 40),
    "days": _number(2, 45),
    "hours": _number(1, 9),
    "minutes": _number(3, 15),
    "years": _number(10, 60),
    "visitors": _number(800, 9000),
    "runners": _number(900, 9000),
    "jobs": _number(40, 1500),
    "places": _number(300, 1500),
    "doctors": _number(12, 80),
    "tons": _number(2, 40),
    "km": _number(2, 14),
    "small": _number(2, 9),
    "percent": lambda s: f"{s.rng.randint(3, 38)}%",
    "money": _money,
    "year": lambda s: s.today.year + s.rng.randint(0, 1),
    "heat": lambda s: f"+{s.rng.randint(29, 38)} °C",
    "frost": lambda s: f"−{s.rng.randint(22, 42)} °C",
    "when": lambda s: s.rng.choice(WHEN),
    "street": lambda s: f"{s.rng.choice(STREET_KINDS)} {s.rng.choice(STREET_NAMES)}",
    "district": lambda s: f"в микрорайоне «{s.rng.choice(DISTRICTS)}»",
    "city": lambda s: s.region.name,
    "v_gorode": lambda s: s.region.in_city,
    "goroda": lambda s: s.region.of_city,
}
_SPEAKERS = {
    "official": _speaker(lambda s: s.rng.choice(s.topic.officials)),
    "resident": _speaker(lambda s: s.rng.choice(RESIDENTS)),
    "expert": _speaker(lambda s: s.rng.choice(EXPERTS)),
}


class _Slots(dict):
    """The facts of one story, made on first use so a number means the same in every sentence."""

    def __init__(self, rng: random.Random, today: datetime.date, region: DemoRegion, topic: Topic):
        super().__init__()
        self.rng, self.today, self.region, self.topic = rng, today, region, topic

    def __missing__(self, key: str):
        if key[:1].isupper():
            text = str(self[key[0].lower() + key[1:]])
            value = text[:1].upper() + text[1:]
        elif key.endswith("_said"):
            self[key.removesuffix("_said")]  # making the speaker sets their verb too
            return dict.__getitem__(self, key)
        elif key in _SPEAKERS:
            value = _SPEAKERS[key](self, key)
        else:
            value = _SLOT_MAKERS[key](self)
        self[key] = value
        return value

    def fill(self, template: str) -> str:
        return template.format_map(self)


@dataclass(frozen=True, slots=True)
class StoryRef:
    """A story already in the database that later stories may link to."""

    id: int
    url: str
    headline: str
    region_slug: str


@dataclass(frozen=True)
class StoryText:
    headline: str
    lead: str
    body: str


def _p(text: str) -> str:
    return f"<p>{text}</p>"


def write_story(
    rng: random.Random,
    today: datetime.date,
    region: DemoRegion,
    topic: Topic,
    earlier: StoryRef | None,
) -> StoryText:
    """One story in Russian: headline, lead and an HTML body linking to an earlier story."""
    slots = _Slots(rng, today, region, topic)
    headline = slots.fill(rng.choice(topic.headlines))
    facts = [slots.fill(fact) for fact in rng.sample(topic.facts, 4)]
    lead = f"{facts[0]} {rng.choice(LEAD_TAILS)}"

    blocks = [_p(f"{facts[1]} {facts[2]}")]
    quote = slots.fill(rng.choice(topic.quotes))
    blocks.append(_p(f"«{quote}», — {slots['official_said']} {slots['official']}."))
    if rng.random() < 0.6:
        blocks.append(f"<h2>{rng.choice(SUBHEADS)}</h2>")
    blocks.append(_p(f"{slots['Expert']} считает, что {rng.choice(EXPERT_CLAIMS)}."))
    if rng.random() < 0.35:
        items = "".join(f"<li>{slots.fill(item)}</li>" for item in rng.sample(topic.items, 3))
        blocks += [_p(rng.choice(LIST_INTROS)), f"<ul>{items}</ul>"]
    said = f"«{rng.choice(RESIDENT_QUOTES)}», — {slots['resident_said']} {slots['resident']}."
    blocks.append(f"<blockquote>{_p(said)}</blockquote>" if rng.random() < 0.3 else _p(said))
    if earlier is not None:
        link = f'<a href="{escape(earlier.url)}">{escape(earlier.headline)}</a>'
        blocks.append(_p(rng.choice(LINK_SENTENCES).format(link=link)))
    blocks.append(_p(f"{facts[3]} {slots.fill(rng.choice(CLOSINGS))}"))
    return StoryText(headline=headline, lead=lead, body="\n".join(blocks))


# --- Pictures -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Mood:
    phrase: str  # «на закате», for alt text and captions
    top: tuple  # sky colours as (hue°, saturation, lightness)
    bottom: tuple
    light: tuple  # the sun or the moon
    night: bool = False


MOODS = (
    _Mood("на рассвете", (220, 0.45, 0.55), (25, 0.8, 0.78), (40, 0.95, 0.88)),
    _Mood("в полдень", (210, 0.65, 0.45), (200, 0.55, 0.82), (50, 1.0, 0.96)),
    _Mood("на закате", (255, 0.45, 0.32), (18, 0.85, 0.62), (32, 1.0, 0.72)),
    _Mood("в сумерках", (232, 0.5, 0.2), (285, 0.3, 0.5), (48, 0.35, 0.9), night=True),
    _Mood("ночью", (228, 0.6, 0.07), (222, 0.45, 0.24), (55, 0.2, 0.92), night=True),
    _Mood("в тумане", (200, 0.12, 0.72), (200, 0.08, 0.88), (45, 0.25, 0.95)),
    _Mood("зимним днём", (205, 0.35, 0.68), (190, 0.2, 0.93), (45, 0.3, 0.97)),
)


def _rgb(hue: float, saturation: float, lightness: float) -> tuple[int, int, int]:
    r, g, b = colorsys.hls_to_rgb((hue % 360) / 360, min(max(lightness, 0), 1), saturation)
    return round(r * 255), round(g * 255), round(b * 255)


def _jitter(rng: random.Random, hsl: tuple) -> tuple[int, int, int]:
    hue, saturation, lightness = hsl
    return _rgb(hue + rng.uniform(-14, 14), saturation, lightness + rng.uniform(-0.05, 0.05))


def _mix(a: tuple, b: tuple, t: float) -> tuple[int, int, int]:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))


@dataclass
class _Canvas:
    """An image being drawn and the colours of its scene."""

    image: Image.Image
    rng: random.Random
    mood: _Mood
    sky_top: tuple
    sky_bottom: tuple
    light: tuple
    land: tuple

    @property
    def size(self) -> tuple[int, int]:
        return self.image.size

    @property
    def draw(self) -> ImageDraw.ImageDraw:
        return ImageDraw.Draw(self.image)


def _gradient(size: tuple[int, int], top: tuple, bottom: tuple) -> Image.Image:
    mask = Image.linear_gradient("L").resize(size)
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)


def _glow(canvas: _Canvas, center: tuple[float, float], radius: float) -> None:
    """A soft halo around the sun or moon, blurred small and scaled up to stay cheap."""
    w, h = canvas.size
    small = Image.new("L", (w // 8, h // 8), 0)
    x, y, r = center[0] / 8, center[1] / 8, radius * 3 / 8
    ImageDraw.Draw(small).ellipse((x - r, y - r, x + r, y + r), fill=150)
    mask = small.filter(ImageFilter.GaussianBlur(r / 2)).resize((w, h), Image.Resampling.BILINEAR)
    canvas.image.paste(Image.new("RGB", (w, h), canvas.light), mask=mask)


def _sun(canvas: _Canvas, horizon: float) -> None:
    w, _ = canvas.size
    rng = canvas.rng
    x, y, r = rng.uniform(0.15, 0.85) * w, horizon * rng.uniform(0.35, 0.85), w * 0.035
    _glow(canvas, (x, y), r)
    canvas.draw.ellipse((x - r, y - r, x + r, y + r), fill=canvas.light)
    if canvas.mood.night:
        for _ in range(160):
            sx, sy = rng.uniform(0, w), rng.uniform(0, horizon * 0.8)
            canvas.draw.point((sx, sy), fill=_mix(canvas.light, canvas.sky_top, rng.random()))


def _ridge(rng: random.Random, w: int, base: float, amplitude: float, roughness: float) -> list:
    """A skyline of hills or peaks by midpoint displacement, as polygon points."""
    n = 128
    ys = [0.0] * (n + 1)
    ys[0], ys[n] = rng.uniform(-1, 1), rng.uniform(-1, 1)
    step, scale = n, 1.0
    while step > 1:
        half = step // 2
        for i in range(half, n, step):
            ys[i] = (ys[i - half] + ys[i + half]) / 2 + rng.uniform(-scale, scale)
        step, scale = half, scale * roughness
    return [(w * i / n, base - amplitude * y) for i, y in enumerate(ys)]


def _land_layers(canvas: _Canvas, count: int, top: float, roughness: float) -> list[list]:
    """Layers of land from far (hazy, sky-coloured) to near (dark); returns their ridge lines."""
    w, h = canvas.size
    ridges = []
    for i in range(count):
        t = (i + 1) / count
        line = _ridge(
            canvas.rng, w, h * (top + (0.9 - top) * t * 0.8), h * (0.14 - 0.06 * t), roughness
        )
        colour = _mix(canvas.sky_bottom, canvas.land, 0.3 + 0.7 * t)
        canvas.draw.polygon([(0, h), *line, (w, h)], fill=_mix(colour, (0, 0, 0), 0.35 * t))
        ridges.append(line)
    return ridges


def _draw_mountains(canvas: _Canvas) -> None:
    _sun(canvas, canvas.size[1] * 0.5)
    _land_layers(canvas, canvas.rng.randint(3, 5), 0.35, roughness=0.55)


def _draw_forest(canvas: _Canvas) -> None:
    w, h = canvas.size
    rng = canvas.rng
    _sun(canvas, h * 0.55)
    for depth, ridge in enumerate(_land_layers(canvas, 3, 0.5, roughness=0.4), start=1):
        tree_height = h * 0.05 * depth
        colour = _mix(canvas.land, (0, 0, 0), 0.25 * depth)
        for x, y in ridge[:: max(1, 5 - depth)]:
            x, y = x + rng.uniform(-8, 8), y + rng.uniform(0, tree_height * 0.3)
            for tier in range(3):
                top = y - tree_height * (1 - tier * 0.28)
                half = tree_height * (0.18 + tier * 0.06)
                base = top + tree_height * 0.45
                canvas.draw.polygon([(x, top), (x - half, base), (x + half, base)], fill=colour)


def _draw_skyline(canvas: _Canvas) -> None:
    w, h = canvas.size
    rng = canvas.rng
    horizon = int(h * rng.uniform(0.6, 0.7))
    _sun(canvas, horizon)
    for row in (0, 1):
        x = -rng.randint(0, w // 30)
        colour = _mix(canvas.sky_bottom, canvas.land, 0.55 + 0.45 * row)
        while x < w:
            bw, bh = rng.randint(w // 40, w // 13), rng.randint(h // 12, int(h / (2.6 - row * 0.4)))
            canvas.draw.rectangle((x, horizon - bh, x + bw, horizon), fill=colour)
            if row:
                _windows(canvas, (x, horizon - bh, x + bw, horizon))
            x += bw + rng.randint(-bw // 4, w // 90)
    reflection = canvas.image.crop((0, 2 * horizon - h, w, horizon))
    reflection = reflection.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    water = Image.new("RGB", reflection.size, _mix(canvas.sky_top, (0, 0, 0), 0.4))
    canvas.image.paste(Image.blend(reflection, water, 0.5), (0, horizon))
    for _ in range(120):
        y, x = rng.uniform(horizon, h), rng.uniform(0, w)
        canvas.draw.line((x, y, x + rng.uniform(20, 120), y), fill=canvas.sky_bottom, width=1)


def _windows(canvas: _Canvas, box: tuple) -> None:
    x0, y0, x1, y1 = box
    rng, step = canvas.rng, max(6, canvas.size[0] // 160)
    lit = (255, 214, 140) if canvas.mood.night else _mix(canvas.sky_bottom, (255, 255, 255), 0.3)
    share = 0.45 if canvas.mood.night else 0.15
    for wy in range(int(y0) + step, int(y1) - step, step * 2):
        for wx in range(int(x0) + step // 2, int(x1) - step, step * 2):
            if rng.random() < share:
                canvas.draw.rectangle((wx, wy, wx + step, wy + step), fill=lit)


def _draw_sea(canvas: _Canvas) -> None:
    w, h = canvas.size
    rng = canvas.rng
    horizon = int(h * rng.uniform(0.5, 0.62))
    sun_x = rng.uniform(0.2, 0.8) * w
    _glow(canvas, (sun_x, horizon * 0.8), w * 0.035)
    canvas.draw.ellipse(
        (
            sun_x - w * 0.035,
            horizon * 0.8 - w * 0.035,
            sun_x + w * 0.035,
            horizon * 0.8 + w * 0.035,
        ),
        fill=canvas.light,
    )
    deep = _mix(canvas.sky_top, (10, 30, 60), 0.5)
    canvas.image.paste(_gradient((w, h - horizon), canvas.sky_bottom, deep), (0, horizon))
    cape = _ridge(rng, w // 2, horizon, h * 0.05, 0.5)
    offset = 0 if rng.random() < 0.5 else w // 2
    canvas.draw.polygon(
        [
            (offset, horizon),
            *[(x + offset, min(y, horizon)) for x, y in cape],
            (offset + w // 2, horizon),
        ],
        fill=_mix(canvas.land, canvas.sky_bottom, 0.4),
    )
    for _ in range(int(h * 0.6)):
        y = rng.uniform(horizon, h)
        spread = (y - horizon) / (h - horizon)
        x = sun_x + rng.gauss(0, w * (0.02 + 0.12 * spread))
        length = rng.uniform(10, 60) * (0.5 + spread)
        colour = _mix(canvas.light, deep, min(1.0, abs(x - sun_x) / (w * 0.25)))
        canvas.draw.line((x - length / 2, y, x + length / 2, y), fill=colour, width=2)


def _draw_abstract(canvas: _Canvas) -> None:
    w, h = canvas.size
    rng = canvas.rng
    base = rng.uniform(0, 360)
    colours = [_rgb(base + shift, 0.6, rng.uniform(0.35, 0.7)) for shift in (0, 30, 180, 210)]
    canvas.image.paste(_gradient((w, h), colours[0], colours[2]))
    layer = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    for _ in range(rng.randint(14, 26)):
        colour = (*rng.choice(colours), rng.randint(80, 190))
        x, y, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0.03, 0.25) * w
        shape = rng.choice(("circle", "rectangle", "triangle", "line"))
        if shape == "circle":
            draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
        elif shape == "rectangle":
            draw.rectangle((x - r, y - r / 2, x + r, y + r / 2), fill=colour)
        elif shape == "triangle":
            draw.polygon([(x, y - r), (x - r, y + r), (x + r * rng.uniform(0.3, 1), y + r)], colour)
        else:
            draw.line((x - r, y - r, x + r, y + r), fill=colour, width=max(4, int(r / 6)))
    canvas.image.paste(Image.alpha_composite(canvas.image.convert("RGBA"), layer).convert("RGB"))


# (draw, land hue, alt texts with {mood}; the abstract scene ignores the mood)
SCENES = (
    (_draw_mountains, 215, _words("Горные хребты {mood} | Горы {mood}: гряда за грядой")),
    (_draw_skyline, 240, _words("Силуэт города {mood} с отражением в реке | Набережная {mood}")),
    (_draw_sea, 200, _words("Море и солнечная дорожка {mood} | Залив {mood}")),
    (_draw_forest, 130, _words("Хвойный лес на холмах {mood} | Тайга {mood}")),
    (_draw_abstract, 0, _words("Абстрактная композиция из цветных фигур | Графическая заставка")),
)


def _new_canvas(rng: random.Random, size: tuple[int, int], land_hue: float) -> _Canvas:
    mood = rng.choice(MOODS)
    top, bottom = _jitter(rng, mood.top), _jitter(rng, mood.bottom)
    land = _rgb(land_hue + rng.uniform(-25, 25), rng.uniform(0.2, 0.5), rng.uniform(0.2, 0.4))
    image = _gradient(size, top, bottom)
    return _Canvas(image, rng, mood, top, bottom, _jitter(rng, mood.light), land)


def _finish(image: Image.Image, rng: random.Random) -> bytes:
    """Film grain so the JPEG looks photographed rather than flat, then the encoding."""
    w, h = (side // 2 + 1 for side in image.size)  # from our rng, so a seed redraws the same
    grain = Image.frombytes("L", (w, h), rng.randbytes(w * h)).resize(image.size).convert("RGB")
    image = Image.blend(image, grain, 0.04)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85, optimize=True, progressive=True)
    return buffer.getvalue()


def draw_landscape(rng: random.Random, index: int, width: int) -> tuple[bytes, str]:
    """A JPEG of one of the scenes, cycling through them, and its alt text."""
    draw, land_hue, alts = SCENES[index % len(SCENES)]
    canvas = _new_canvas(rng, (width, round(width * 2 / 3)), land_hue)
    draw(canvas)
    return _finish(canvas.image, rng), rng.choice(alts).format(mood=canvas.mood.phrase)


def draw_portrait(rng: random.Random, width: int, female: bool) -> bytes:
    """A studio-style silhouette: not a real face, but a believable byline picture."""
    w, h = width, round(width * 1.25)
    image = _gradient((w, h), _rgb(rng.uniform(0, 360), 0.2, 0.75), _rgb(0, 0, 0.35))
    draw = ImageDraw.Draw(image)
    skin = _rgb(rng.uniform(18, 34), rng.uniform(0.35, 0.55), rng.uniform(0.55, 0.8))
    hair = _rgb(rng.uniform(15, 40), rng.uniform(0.3, 0.6), rng.uniform(0.1, 0.45))
    if female:
        draw.ellipse((w * 0.24, h * 0.14, w * 0.76, h * 0.75), fill=hair)
    draw.ellipse((w * 0.08, h * 0.72, w * 0.92, h * 1.4), fill=_rgb(rng.uniform(0, 360), 0.4, 0.3))
    draw.rectangle((w * 0.42, h * 0.5, w * 0.58, h * 0.76), fill=_mix(skin, (0, 0, 0), 0.1))
    draw.ellipse((w * 0.3, h * 0.2, w * 0.7, h * 0.62), fill=skin)
    draw.chord((w * 0.29, h * 0.17, w * 0.71, h * 0.52), 180, 360, fill=hair)
    return _finish(image.filter(ImageFilter.GaussianBlur(1)), rng)


# --- Loading ------------------------------------------------------------------------------------


def database_has_content() -> bool:
    """The demo fills only an empty newsroom: any region, story, author, photo or tag stops it."""
    return any(model.objects.exists() for model in (Region, Article, Author, Photo, Tag))


@dataclass
class DemoSummary:
    regions: int = 0
    authors: int = 0
    photos: int = 0
    tags: int = 0
    articles: int = 0
    bylines: int = 0
    taggings: int = 0
    related_links: int = 0


@dataclass(slots=True)
class _Plan:
    """When and where a story appears, decided for all stories before any text is written."""

    moment: datetime.datetime  # its place in the newsroom's history, and so in id order
    status: str
    published_at: datetime.datetime | None
    region: Region
    topic: Topic
    is_breaking: bool = False


def _growing_batches(items: list, cap: int) -> Iterator[list]:
    """Batches of 1, 1, 2, 4, … up to cap: each is at most as long as everything before it."""
    start, size = 0, 1
    while start < len(items):
        yield items[start : start + size]
        start += size
        size = min(cap, start)


class DemoBuilder:
    """Builds the demo network into an empty database; `load_demo` is the way in."""

    def __init__(
        self,
        *,
        articles: int,
        photos: int,
        seed: int,
        photo_width: int,
        batch_size: int,
        log: Callable[[str], None],
        progress: Callable[[int], None],
    ):
        self.rng = random.Random(seed)
        self.article_count, self.photo_count = articles, photos
        self.photo_width, self.batch_size = photo_width, batch_size
        self.log, self.progress = log, progress
        self.now = timezone.now()
        self.summary = DemoSummary()
        self.saved_files: list[str] = []
        self.visible: list[StoryRef] = []
        self.visible_by_region: dict[str, list[StoryRef]] = {}

    def build(self) -> DemoSummary:
        self.editor = self.demo_editor()
        self.regions = self.create_regions()
        self.authors = self.create_authors()
        self.photographers = _photographers(self.authors)
        self.photos = self.draw_photo_library()
        self.tags_by_name = self.create_tags()
        self.insert_stories(self.plan_stories())
        return self.summary

    def demo_editor(self):
        user_model = get_user_model()
        user = user_model.objects.filter(username=DEMO_USERNAME).first()
        if user is None:
            user = user_model.objects.create_superuser(
                DEMO_USERNAME, email="editor@example.org", password=DEMO_PASSWORD
            )
            self.log(f"Demo admin: {DEMO_USERNAME} / {DEMO_PASSWORD}")
        return user

    def create_regions(self) -> dict[str, tuple[Region, DemoRegion]]:
        rows = Region.objects.bulk_create(
            Region(
                name=r.name,
                slug=r.slug,
                time_zone=r.time_zone,
                position=index * 10,
                description=r.description,
                is_active=r.is_active,
            )
            for index, r in enumerate(REGIONS)
        )
        self.summary.regions = len(rows)
        return {row.slug: (row, spec) for row, spec in zip(rows, REGIONS, strict=True)}

    def create_authors(self) -> list[Author]:
        """The staff: an editor-in-chief (the demo admin), photographers, reporters; their names."""
        rng = self.rng
        everyone = [
            (first, last, female)
            for female, firsts in ((False, MALE_NAMES), (True, FEMALE_NAMES))
            for first in firsts
            for last in SURNAMES
        ]
        regions = [spec for _, spec in self.regions.values() if spec.is_active]
        titles = (
            "главный редактор",
            "шеф-редактор",
            "выпускающий редактор",
            *[PHOTOGRAPHER] * 3,
        )
        staff = []
        for index, (first, last, female) in enumerate(rng.sample(everyone, AUTHOR_COUNT)):
            name = f"{first} {last}{'а' if female else ''}"
            title = titles[index] if index < len(titles) else rng.choice(JOB_TITLES)
            bio = _author_bio(rng, female, regions[index % len(regions)], title)
            author = Author(name=name, slug=slugify_ru(name), job_title=title, bio=bio)
            author.user = self.editor if index == 0 else None
            staff.append((author, female))
        photographers = _photographers([author for author, _ in staff])
        for index, (author, female) in enumerate(staff):
            if index % 3 == 0:  # a third of the staff have a portrait
                picture = draw_portrait(rng, max(self.photo_width // 2, 64), female)
                alt = f"Портрет: {author.name}"
                author.photo = self.save_photo(picture, alt, rng.choice(photographers))
            author.save()
        self.summary.authors = len(staff)
        return [author for author, _ in staff]

    def save_photo(self, data: bytes, alt: str, credit: str, caption: str = "") -> Photo:
        """Store through the ImageField: `photo_upload_to` names the file, Pillow the size."""
        photo = Photo(
            image=ContentFile(data, name="demo.jpg"),
            alt_text=alt,
            caption=caption,
            credit=credit,
            uploaded_by=self.editor,
        )
        photo.save()
        self.saved_files.append(photo.image.name)
        self.summary.photos += 1
        return photo

    def draw_photo_library(self) -> list[Photo]:
        if self.photo_count:
            self.log(f"Drawing {self.photo_count} photos…")
        library = []
        for index in range(self.photo_count):
            data, alt = draw_landscape(self.rng, index, self.photo_width)
            caption = f"{alt}. Иллюстрация из демонстрационного набора."
            library.append(self.save_photo(data, alt, self.rng.choice(self.photographers), caption))
        return library

    def create_tags(self) -> dict[str, Tag]:
        names = list(dict.fromkeys([*(tag for t in TOPICS for tag in t.tags), *GENERAL_TAGS]))
        tags = Tag.objects.bulk_create(Tag(name=name, slug=slugify_ru(name)) for name in names)
        self.summary.tags = len(tags)
        return {tag.name: tag for tag in tags}

    def plan_stories(self) -> list[_Plan]:
        """Statuses and times for every story, in the order the newsroom would have made them.

        Mostly published over the last ~18 months, denser lately, a few in the last 48 hours (a
        couple of those breaking); some drafts, some in review, some scheduled, some withdrawn.
        """
        rng, now, n = self.rng, self.now, self.article_count

        def share(fraction: float) -> int:
            return max(1, round(n * fraction)) if n >= 20 else 0

        hours = datetime.timedelta(hours=1)
        plans = [
            self.plan(Article.Status.DRAFT, None, now - hours * rng.uniform(1, 340))
            for _ in range(share(0.05))
        ]
        plans += [
            self.plan(Article.Status.REVIEW, None, now - hours * rng.uniform(1, 100))
            for _ in range(share(0.03))
        ]
        for _ in range(share(0.03)):  # scheduled: published, but due later
            plans.append(
                self.plan(
                    Article.Status.PUBLISHED,
                    now + hours * rng.uniform(2, 240),
                    now - hours * rng.uniform(1, 72),
                )
            )
        for _ in range(share(0.03)):  # withdrawn after publication
            when = now - hours * 24 * 548 * rng.random() ** 1.5
            plans.append(self.plan(Article.Status.UNPUBLISHED, when, when))
        published = n - len(plans)
        recent = min(published, max(3, published // 20))
        for index in range(published):
            if index < recent:
                when = now - hours * rng.uniform(0.2, 47)
            else:
                when = now - hours * (48 + 24 * 546 * rng.random() ** 2.2)
            plans.append(self.plan(Article.Status.PUBLISHED, when, when))
        last_two_days = plans[len(plans) - published :][:recent]
        for plan in rng.sample(last_two_days, max(1, recent // 4)) if last_two_days else ():
            plan.is_breaking = True
        plans.sort(key=lambda plan: plan.moment)
        return plans

    def plan(
        self, status: str, published_at: datetime.datetime | None, moment: datetime.datetime
    ) -> _Plan:
        region, spec = self.rng.choices(
            list(self.regions.values()), weights=[spec.weight for _, spec in self.regions.values()]
        )[0]
        return _Plan(moment, status, published_at, region, self.rng.choice(TOPICS))

    def insert_stories(self, plans: list[_Plan]) -> None:
        """Stories in batches; after each batch its ids are known and later stories link to it."""
        self.log(f"Writing {len(plans)} stories…")
        for batch in _growing_batches(plans, self.batch_size):
            articles = [self.new_article(plan) for plan in batch]
            Article.objects.bulk_create(articles, batch_size=self.batch_size)
            bylines, taggings, links = [], [], []
            for article, plan in zip(articles, batch, strict=True):
                bylines += self.bylines(article)
                taggings += self.taggings(article, plan.topic)
                links += self.related_links(article)
            ArticleAuthor.objects.bulk_create(bylines, batch_size=self.batch_size)
            TaggedArticle.objects.bulk_create(taggings, batch_size=self.batch_size)
            RelatedLink.objects.bulk_create(links, batch_size=self.batch_size)
            for article, plan in zip(articles, batch, strict=True):
                self.remember_if_visible(article, plan)
            self.summary.bylines += len(bylines)
            self.summary.taggings += len(taggings)
            self.summary.related_links += len(links)
            self.summary.articles += len(articles)
            self.progress(len(articles))
        self.backdate_stories()

    def new_article(self, plan: _Plan) -> Article:
        rng = self.rng
        spec = self.regions[plan.region.slug][1]
        text = write_story(rng, self.now.date(), spec, plan.topic, self.pick_earlier(plan.region))
        published = plan.published_at is not None
        return Article(
            headline=text.headline,
            slug=slugify_ru(text.headline),
            lead=text.lead,
            body=text.body,
            region=plan.region,
            status=plan.status,
            published_at=plan.published_at,
            is_breaking=plan.is_breaking,
            main_photo=rng.choice(self.photos) if self.photos and rng.random() < 0.85 else None,
            created_by=self.editor,
            updated_by=self.editor,
            published_by=self.editor if published else None,
        )

    def pick_earlier(self, region: Region) -> StoryRef | None:
        """An earlier visible story, from the same region more often than not, recent ones first."""
        pool = self.visible_by_region.get(region.slug) if self.rng.random() < 0.6 else None
        pool = pool or self.visible
        if not pool:
            return None
        return pool[max(0, len(pool) - 1 - int(len(pool) * self.rng.random() ** 3))]

    def bylines(self, article: Article) -> list[ArticleAuthor]:
        count = self.rng.choices((1, 2, 3), weights=(70, 22, 8))[0]
        return [
            ArticleAuthor(article=article, author=author, position=position)
            for position, author in enumerate(self.rng.sample(self.authors, count))
        ]

    def taggings(self, article: Article, topic: Topic) -> list[TaggedArticle]:
        rng = self.rng
        names = rng.sample(topic.tags, rng.randint(1, 3))
        names += rng.sample(GENERAL_TAGS, rng.randint(max(0, 2 - len(names)), 5 - len(names)))
        return [TaggedArticle(content_object=article, tag=self.tags_by_name[n]) for n in names]

    def related_links(self, article: Article) -> list[RelatedLink]:
        """A teaser block of 3–8: mostly earlier stories of the site, some external reading."""
        rng = self.rng
        count = rng.randint(3, 8)
        internal = sum(rng.random() < 0.8 for _ in range(count))
        targets: dict[int, StoryRef] = {}
        for _ in range(internal * 3):  # picks repeat in a small pool: a few tries, then external
            earlier = self.pick_earlier(article.region) if len(targets) < internal else None
            if earlier is not None:
                targets[earlier.id] = earlier
        links = [
            RelatedLink(
                article=article,
                kicker=rng.choice(INTERNAL_KICKERS),
                title=ref.headline,
                target_article_id=ref.id,
            )
            for ref in targets.values()
        ]
        while len(links) < count:
            title = rng.choice(EXTERNAL_TITLES)
            slug = _EXTERNAL_SLUGS[title]
            url = f"{rng.choice(EXTERNAL_SITES)}/{rng.randint(1000, 99999)}-{slug}"
            links.append(
                RelatedLink(
                    article=article,
                    kicker=rng.choice(EXTERNAL_KICKERS),
                    title=title,
                    external_url=url,
                )
            )
        rng.shuffle(links)
        for position, link in enumerate(links):
            link.position = position
        return links

    def remember_if_visible(self, article: Article, plan: _Plan) -> None:
        if not (
            plan.status == Article.Status.PUBLISHED
            and plan.published_at <= self.now
            and plan.region.is_active
        ):
            return
        ref = StoryRef(article.pk, article.get_absolute_url(), article.headline, plan.region.slug)
        self.visible.append(ref)
        self.visible_by_region.setdefault(plan.region.slug, []).append(ref)

    def backdate_stories(self) -> None:
        """`auto_now_add` stamped every row with today; a story was written when it came out."""
        Article.objects.filter(published_at__lte=self.now).update(
            created_at=F("published_at") - datetime.timedelta(hours=2),
            updated_at=F("published_at"),
        )


def _photographers(authors: list[Author]) -> list[str]:
    return [author.name for author in authors if author.job_title == PHOTOGRAPHER]


def _author_bio(rng: random.Random, female: bool, region: DemoRegion, title: str) -> str:
    if title == "главный редактор":
        first = "Руководит редакцией сети и отвечает за всё, что выходит на сайте."
    elif title == PHOTOGRAPHER:
        first = f"Снимает жизнь {region.of_city} и области."
    else:
        first = f"Пишет {rng.choice(TOPICS).about} {region.in_city}."
    worked = f"{'Работала' if female else 'Работал'} {rng.choice(EARLIER_JOBS)}."
    return f"{first} В журналистике с {rng.randint(1998, 2020)} года. {worked}"


def load_demo(
    *,
    articles: int = DEFAULT_ARTICLES,
    photos: int = DEFAULT_PHOTOS,
    seed: int = 1,
    photo_width: int = DEFAULT_PHOTO_WIDTH,
    batch_size: int = DEFAULT_BATCH_SIZE,
    log: Callable[[str], None] = lambda message: None,
    progress: Callable[[int], None] = lambda count: None,
) -> DemoSummary | None:
    """Fill an empty database with the demo newsroom; None (and no change) if it has content.

    All or nothing: one transaction, and on failure the photo files written so far are removed.
    """
    builder = DemoBuilder(
        articles=articles,
        photos=photos,
        seed=seed,
        photo_width=photo_width,
        batch_size=batch_size,
        log=log,
        progress=progress,
    )
    try:
        with transaction.atomic():
            if database_has_content():
                return None
            return builder.build()
    except BaseException:
        storage = Photo._meta.get_field("image").storage
        for name in builder.saved_files:
            storage.delete(name)
        raise
